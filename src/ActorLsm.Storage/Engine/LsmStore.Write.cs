using System.Diagnostics;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Memtables;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    /// <summary>Largest commit group, in encoded batch bytes (LevelDB: 1 MiB).</summary>
    private const int MaxGroupBytes = 1 << 20;

    /// <summary>
    /// Bytes a WAL segment grows by ahead of its appends, per step (LogWriter extendChunk, Wal/FORMAT.md
    /// "Durability"; RocksDB allocates ahead of its WAL with fallocate too). Each segment holds at most
    /// this much allocated, unwritten space after its last record until it is deleted: 16 MiB for 16
    /// shards' active segments, plus one chunk per segment whose memtable waits for its flush.
    /// </summary>
    private const long WalExtendChunk = 1 << 20;

    [ThreadStatic]
    private static Writer? s_threadWriter;

    [ThreadStatic]
    private static WriteBatch? s_threadBatch;

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>. Durable per <see cref="LsmOptions.WalSyncMode"/> on return.</summary>
    /// <exception cref="ArgumentException">The key or value is over its limit; nothing is written.</exception>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckSizes(key.Length, value.Length);
        WriteBatch batch = s_threadBatch ??= new WriteBatch(1024);
        batch.Clear();
        batch.Put(key, value);
        WriteValidated(batch);
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> until <paramref name="expiresAt"/>
    /// (absolute, millisecond precision; null: never expires). From then on every read treats the
    /// key as deleted and compaction removes it (<see cref="WriteBatch.Put(ReadOnlySpan{byte}, ReadOnlySpan{byte}, DateTimeOffset?)"/>).
    /// Durable per <see cref="LsmOptions.WalSyncMode"/> on return.
    /// </summary>
    /// <exception cref="ArgumentException">The key or value is over its limit; nothing is written.</exception>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, DateTimeOffset? expiresAt)
    {
        CheckSizes(key.Length, value.Length);
        WriteBatch batch = s_threadBatch ??= new WriteBatch(1024);
        batch.Clear();
        batch.Put(key, value, expiresAt);
        WriteValidated(batch);
    }

    /// <summary>Deletes <paramref name="key"/> by writing a tombstone.</summary>
    /// <exception cref="ArgumentException">The key is over its limit; nothing is written.</exception>
    public void Delete(ReadOnlySpan<byte> key)
    {
        CheckSizes(key.Length, 0);
        WriteBatch batch = s_threadBatch ??= new WriteBatch(1024);
        batch.Clear();
        batch.Delete(key);
        WriteValidated(batch);
    }

    /// <summary>
    /// Applies every put and delete of <paramref name="batch"/> atomically: one WAL record, so
    /// after any crash all or none are visible. Concurrent callers share one WAL write and, in
    /// <see cref="WalSyncMode.Batch"/> mode, one fsync (group commit, as in LevelDB's DBImpl::Write).
    /// </summary>
    /// <exception cref="ArgumentException">A key or value is over its limit; nothing is written.</exception>
    /// <exception cref="BackgroundErrorException">An earlier flush, compaction or WAL write failed.</exception>
    public void Write(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate(_options.MaxKeySize, _options.MaxValueSize);
        if (batch.Count > 0)
        {
            WriteValidated(batch);
        }
    }

    /// <summary>
    /// Makes the active memtable immutable (if it holds data) and waits until every immutable
    /// memtable is flushed to L0 and recorded in the manifest.
    /// </summary>
    public void Flush()
    {
        ThrowIfDisposed();
        EnqueueAndLead(new Writer { ForceSwitch = true });
        lock (_mutex)
        {
            _host.RequestFlush();
            while (_immutables.Count > 0 && _backgroundError is null && !_disposed)
            {
                Monitor.Wait(_mutex);
            }

            ThrowIfBackgroundError();
        }
    }

    /// <inheritdoc/>
    public bool FlushIfOlderThan(TimeSpan age)
    {
        lock (_mutex)
        {
            if (_disposed || _mem.IsEmpty || DateTime.UtcNow - _mem.CreatedUtc < age)
            {
                return false;
            }
        }

        try
        {
            EnqueueAndLead(new Writer { ForceSwitch = true, OnlyIfOlderThan = age });
        }
        catch (Exception e) when (e is ObjectDisposedException or BackgroundErrorException)
        {
            return false;
        }

        return true;
    }

    private void CheckSizes(int keyLength, int valueLength)
    {
        if (keyLength > _options.MaxKeySize)
        {
            throw new ArgumentException($"key of {keyLength} bytes exceeds the limit of {_options.MaxKeySize} bytes", "key");
        }

        if (valueLength > _options.MaxValueSize)
        {
            throw new ArgumentException($"value of {valueLength} bytes exceeds the limit of {_options.MaxValueSize} bytes", "value");
        }
    }

    private void WriteValidated(WriteBatch batch, ulong? requiredFirstSequence = null, IReadOnlyList<WriteBatch>? following = null)
    {
        Writer w = s_threadWriter ??= new Writer();
        w.Batch = batch;
        w.ForceSwitch = false;
        w.OnlyIfOlderThan = null;
        w.RequiredFirstSequence = requiredFirstSequence;
        w.Following = following;
        try
        {
            EnqueueAndLead(w);
        }
        finally
        {
            w.Batch = null;
            w.Following = null;
        }
    }

    /// <summary>
    /// Queues <paramref name="w"/>; when it reaches the front it leads a commit group: it takes
    /// the writers behind it, makes room in the memtable, appends their batches to the WAL with
    /// one write (and one fsync in Batch mode), inserts them into the memtable, publishes the new
    /// last sequence and wakes the group. Returns when <paramref name="w"/> is done.
    /// </summary>
    private void EnqueueAndLead(Writer w)
    {
        w.Done = false;
        w.Error = null;
        List<Writer> group;
        MemTable mem;
        ulong firstSequence;
        ulong lastSequence;
        bool sync = _options.WalSyncMode == WalSyncMode.Batch;
        lock (_mutex)
        {
            ThrowIfDisposed();
            _writers.Enqueue(w);
            while (!w.Done && !ReferenceEquals(_writers.Peek(), w))
            {
                Monitor.Wait(_mutex);
            }

            if (w.Done)
            {
                if (w.Error is not null)
                {
                    throw w.Error;
                }

                return;
            }

            // w leads. A forced memtable switch runs alone; batches are grouped.
            try
            {
                ThrowIfBackgroundError();
                if (w.ForceSwitch)
                {
                    if (!_mem.IsEmpty && (w.OnlyIfOlderThan is not { } age || DateTime.UtcNow - _mem.CreatedUtc >= age))
                    {
                        SwitchMemTable(_options.MemTableSize);
                    }

                    FinishGroup([w], null);
                    return;
                }

                if (w.RequiredFirstSequence is { } required && required != _lastSequence + 1)
                {
                    throw new SequenceGapException(_lastSequence + 1, required);
                }

                group = BuildGroup(w, out long charge);
                MakeRoomForWrite(charge);
            }
            catch (Exception e)
            {
                FinishGroup([w], e);
                throw;
            }

            mem = _mem;
            firstSequence = _lastSequence + 1;
            lastSequence = _lastSequence;
            foreach (Writer member in group)
            {
                member.Batch!.SetSequence(lastSequence + 1);
                lastSequence += (ulong)member.Batch.Count;
                foreach (WriteBatch following in member.Following ?? [])
                {
                    following.SetSequence(lastSequence + 1);
                    lastSequence += (ulong)following.Count;
                }
            }
        }

        // Outside the mutex: only the leader touches the WAL writer's records and the memtable.
        Exception? error = null;
        long walBytes = 0;
        long userBytes = 0;
        try
        {
            lock (_walLock)
            {
                long before = _wal.Length;
                foreach (Writer member in group)
                {
                    _wal.AddRecord(member.Batch!.Encoded);
                    foreach (WriteBatch following in member.Following ?? [])
                    {
                        _wal.AddRecord(following.Encoded);
                    }
                }

                if (sync)
                {
                    _wal.Sync();
                    Interlocked.Increment(ref _counters.WalSyncs);
                }
                else
                {
                    _wal.Flush();
                }

                walBytes = _wal.Length - before;
            }

            foreach (Writer member in group)
            {
                InsertIntoMemTable(mem, member.Batch!);
                userBytes += member.Batch!.UserBytes;
                foreach (WriteBatch following in member.Following ?? [])
                {
                    InsertIntoMemTable(mem, following);
                    userBytes += following.UserBytes;
                }
            }
        }
        catch (Exception e)
        {
            // The WAL may now end in a partial record: refuse further writes until reopened.
            error = new BackgroundErrorException($"WAL write to {_wal.Path} failed; the store refuses writes until reopened", e);
        }

        lock (_mutex)
        {
            if (error is null)
            {
                Debug.Assert(lastSequence >= firstSequence, "a group holds at least one record");
                Volatile.Write(ref _lastSequence, lastSequence);
                _counters.WalBytes += walBytes;
                _counters.UserBytes += userBytes;
                _counters.WriteGroups++;
            }
            else
            {
                _backgroundError ??= error;
            }

            FinishGroup(group, error);
        }

        if (error is not null)
        {
            throw error;
        }
    }

    /// <summary>REQUIRES: _mutex held; <paramref name="leader"/> at the front of the queue.</summary>
    private List<Writer> BuildGroup(Writer leader, out long charge)
    {
        var group = new List<Writer>(Math.Min(_writers.Count, 64)) { leader };
        charge = leader.Batch!.MemTableCharge;
        foreach (WriteBatch following in leader.Following ?? [])
        {
            charge += following.MemTableCharge;
        }

        if (leader.RequiredFirstSequence is not null)
        {
            return group; // a WriteAt batch commits alone: its sequence was checked for it only
        }

        int bytes = leader.Batch.ApproximateSize;
        bool first = true;
        foreach (Writer next in _writers)
        {
            if (first)
            {
                first = false; // the leader itself
                continue;
            }

            if (next.ForceSwitch || next.RequiredFirstSequence is not null || bytes + next.Batch!.ApproximateSize > MaxGroupBytes)
            {
                break;
            }

            group.Add(next);
            bytes += next.Batch.ApproximateSize;
            charge += next.Batch.MemTableCharge;
        }

        return group;
    }

    /// <summary>REQUIRES: _mutex held. Dequeues the group, marks it done and wakes everyone.</summary>
    private void FinishGroup(List<Writer> group, Exception? error)
    {
        foreach (Writer member in group)
        {
            Writer head = _writers.Dequeue();
            Debug.Assert(ReferenceEquals(head, member), "groups are taken from the front of the queue in order");
            member.Error = error;
            member.Done = true;
        }

        Monitor.PulseAll(_mutex);
    }

    /// <summary>
    /// REQUIRES: _mutex held, called by the group leader. Waits or switches memtables until the
    /// active memtable can take <paramref name="charge"/> more arena bytes. Applies write
    /// slowdown (one delay per group) and stops while L0 or immutable memtables pile up.
    /// </summary>
    private void MakeRoomForWrite(long charge)
    {
        bool allowDelay = true;
        while (true)
        {
            ThrowIfBackgroundError();
            ThrowIfDisposed();
            int l0Files = _versions.Current.NumFiles(0);
            if (allowDelay && l0Files >= _options.L0SlowdownWritesTrigger)
            {
                allowDelay = false;
                _counters.Slowdowns++;
                long start = Stopwatch.GetTimestamp();
                Monitor.Wait(_mutex, _options.SlowdownDelay);
                _counters.StallTicks += Stopwatch.GetElapsedTime(start).Ticks;
                continue;
            }

            if (_mem.ApproximateMemoryUsage + charge <= _mem.Capacity)
            {
                return;
            }

            if (_mem.IsEmpty)
            {
                // One group larger than a whole memtable: give it a memtable of its own size.
                MemTable empty = _mem;
                _mem = NewMemTable(charge);
                InstallSuperVersion();
                empty.Unref();
                return;
            }

            if (_immutables.Count >= _options.MaxImmutableMemTables || l0Files >= _options.L0StopWritesTrigger)
            {
                _counters.Stops++;
                _host.RequestFlush();
                _host.RequestCompaction();
                long start = Stopwatch.GetTimestamp();
                Monitor.Wait(_mutex, TimeSpan.FromMilliseconds(100));
                _counters.StallTicks += Stopwatch.GetElapsedTime(start).Ticks;
                continue;
            }

            SwitchMemTable(charge);
        }
    }

    /// <summary>
    /// REQUIRES: _mutex held, called by the group leader (no insert is in flight). Starts a new
    /// WAL segment and memtable; the old memtable queues for flush.
    /// </summary>
    private void SwitchMemTable(long charge)
    {
        ulong logNumber = _versions.NewFileNumber();
        LogWriter? wal = null;
        try
        {
            // Acknowledged writes already reached the OS (None) or the disk (Batch); make the
            // finished segment durable so its flush never races an unsynced tail, and the new
            // segment's directory entry durable before any write in it is acknowledged.
            lock (_walLock)
            {
                _wal.Sync();
                Interlocked.Increment(ref _counters.WalSyncs);
            }

            wal = new LogWriter(FileNames.Log(_dir, logNumber), fileSystem: _options.FileSystem, extendChunk: WalExtendChunk);
            _options.FileSystem.SyncDirectory(_dir);
        }
        catch (IOException e)
        {
            wal?.Dispose();
            _backgroundError ??= new BackgroundErrorException($"WAL roll to segment {logNumber} failed; the store refuses writes until reopened: {e.Message}", e);
            throw _backgroundError;
        }

        LogWriter old;
        lock (_walLock)
        {
            old = _wal;
            _wal = wal;
        }

        old.Dispose();

        _immutables.Add(new Immutable(_mem, _memLogNumber, _memFirstSequence));
        _mem = NewMemTable(charge);
        _memLogNumber = logNumber;
        _memFirstSequence = _lastSequence + 1; // the leader assigns sequences only after making room
        InstallSuperVersion();
        AssertInvariants();
        _host.RequestFlush();
    }

    /// <summary>A memtable for <paramref name="charge"/> arena bytes at least, its arena from the pool when of the usual size.</summary>
    private MemTable NewMemTable(long charge) =>
        new((int)Math.Min(int.MaxValue - MemTable.FixedOverhead, Math.Max(_options.MemTableSize, charge + 4096)));

    /// <summary>REQUIRES: called by the group leader; room was made for the batch.</summary>
    private static void InsertIntoMemTable(MemTable mem, WriteBatch batch)
    {
        var reader = new WriteBatch.Reader(batch.Encoded, "write batch", 0);
        ulong sequence = reader.Sequence;
        while (reader.TryNext(out ValueKind kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
        {
            if (!mem.TryAdd(sequence++, kind, key, value))
            {
                throw new InvalidOperationException("memtable out of room after MakeRoomForWrite; charge estimate is wrong");
            }
        }
    }

    private void ThrowIfBackgroundError()
    {
        if (_backgroundError is { } e)
        {
            throw e as BackgroundErrorException
                ?? new BackgroundErrorException($"a background flush or compaction failed; the store refuses writes until reopened: {e.Message}", e);
        }
    }

    private void SyncWalQuietly()
    {
        try
        {
            lock (_walLock)
            {
                if (_wal is { } wal)
                {
                    wal.Sync();
                    Interlocked.Increment(ref _counters.WalSyncs);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The store is closing.
        }
        catch (IOException e)
        {
            // A failed fsync may have lost what it covered, and a retry that succeeds proves
            // nothing (fsyncgate): stop accepting writes; the next write reports it.
            lock (_mutex)
            {
                _backgroundError ??= new BackgroundErrorException($"WAL fsync failed; the store refuses writes until reopened: {e.Message}", e);
            }
        }
    }

    /// <summary>One waiting write (or forced memtable switch) in the commit queue.</summary>
    private sealed class Writer
    {
        public WriteBatch? Batch { get; set; }

        public bool ForceSwitch { get; set; }

        public TimeSpan? OnlyIfOlderThan { get; set; }

        /// <summary>Set by WriteAt: the group must start at exactly this sequence, or the write fails.</summary>
        public ulong? RequiredFirstSequence { get; set; }

        /// <summary>Set by the many-batch WriteAt: batches that follow <see cref="Batch"/> in the same group, each its own WAL record, with one sync for all.</summary>
        public IReadOnlyList<WriteBatch>? Following { get; set; }

        public bool Done { get; set; }

        public Exception? Error { get; set; }
    }
}
