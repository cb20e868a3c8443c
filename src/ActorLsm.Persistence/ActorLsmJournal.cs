using System.Buffers.Binary;
using System.Collections.Immutable;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace ActorLsm.Persistence;

/// <summary>
/// Akka.Persistence journal on ActorLsm (plugin id <c>akka.persistence.journal.actorlsm</c>, class
/// <c>ActorLsm.Persistence.ActorLsmJournal, ActorLsm.Persistence</c>). <c>mode = embedded</c> keeps the
/// events in a local LsmStore under <c>data-dir</c>; <c>mode = cluster</c> in the application's
/// replicated store through <c>IActorLsm</c>. Key layout and index consistency: FORMAT.md.
/// </summary>
/// <remarks>
/// <para>Semantics (those of the Akka.Persistence TCK's JournalSpec): each AtomicWrite is one atomic batch
/// on the persistence id's shard (all its keys share one hash tag); an event whose payload cannot be
/// serialized rejects its AtomicWrite (an exception in the result list; the actor's OnPersistRejected) and
/// the journal goes on; writes of one persistence id are applied in order; replay honours from, to and max
/// (max = 0 or from &gt; to replays nothing); DeleteMessagesTo hides the events and keeps the highest
/// sequence number.</para>
/// <para>Errors: a store failure (cluster: UNAVAILABLE after the router's retries, NOT_ENOUGH_REPLICAS,
/// a timeout after <c>request-timeout</c>) fails the write, so Akka calls OnPersistFailure; a replay that
/// meets an undecodable value fails the recovery with <see cref="CorruptionException"/> naming the key.</para>
/// </remarks>
public sealed class ActorLsmJournal : AsyncWriteJournal
{
    private const int MaxRememberedPids = 100_000;

    /// <summary>How many of an id's newest events without index entries the repair looks past (<see cref="RepairIndexTailAsync"/>).</summary>
    private const int MaxRepairScanWithoutEntries = 200;
    private readonly IPersistenceStorage _storage;
    private readonly PersistenceKeys _keys;
    private readonly OrderingClock _clock = new();
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _replayPageSize;
    private readonly bool _allEventsIndex;
    private readonly bool _waitForIndex;
    private readonly EventStream _eventStream;
    private readonly Lock _tailsLock = new();
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private readonly HashSet<string> _indexedPids = new(StringComparer.Ordinal);

    /// <summary>The journal of the plugin block <paramref name="config"/> (reference.conf's defaults under it).</summary>
    /// <exception cref="ConfigurationException">A bad value; the message names the key.</exception>
    public ActorLsmJournal(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(ActorLsmPersistence.DefaultJournalConfig);
        PluginSettings settings = PluginSettings.From(config, ActorLsmPersistence.DefaultJournalConfig);
        _storage = PersistenceStorageExtension.For(Context.System).Acquire(settings);
        _keys = new PersistenceKeys(settings.KeyPrefix);
        _serialization = Context.System.Serialization;
        _replayPageSize = Math.Max(1, config.GetInt("replay-page-size", 4000));
        _allEventsIndex = config.GetBoolean("all-events-index", true);
        _waitForIndex = config.GetBoolean("wait-for-index", true);
        _eventStream = Context.System.EventStream;
    }

    /// <inheritdoc/>
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        List<AtomicWrite> writes = [.. messages];
        var results = new Exception?[writes.Count];

        // Serialize first: an AtomicWrite with an event that cannot be serialized is rejected as a whole;
        // consecutive AtomicWrites of one persistence id become one batch.
        var groups = new Dictionary<string, List<EventRecord>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < writes.Count; i++)
        {
            List<EventRecord> records;
            try
            {
                records = Serialize(writes[i]);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                results[i] = ex;
                continue;
            }

            if (!groups.TryGetValue(writes[i].PersistenceId, out List<EventRecord>? group))
            {
                group = [];
                groups.Add(writes[i].PersistenceId, group);
                order.Add(writes[i].PersistenceId);
            }

            group.AddRange(records);
        }

        var tasks = new List<Task>(order.Count);
        foreach (string pid in order)
        {
            List<EventRecord> records = groups[pid];
            tasks.Add(Chain(pid, () => WriteGroupAsync(pid, records, cancellationToken)));
        }

        AssertInvariants();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return [.. results];
    }

    /// <inheritdoc/>
    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await Chain(persistenceId, async () =>
        {
            byte[] pidBase = _keys.PidBase(persistenceId);
            long highest = await ReadU64Async(PersistenceKeys.Highest(pidBase), cancellationToken).ConfigureAwait(false);
            long deleted = await ReadU64Async(PersistenceKeys.Deleted(pidBase), cancellationToken).ConfigureAwait(false);
            long target = Math.Min(toSequenceNr, highest);
            if (target <= deleted)
            {
                return;
            }

            // The marker first: replay hides every event <= target from now on; then the entries go.
            await _storage.WriteAsync([WriteOp.Put(PersistenceKeys.Deleted(pidBase), U64(target))], cancellationToken).ConfigureAwait(false);
            byte[] start = PersistenceKeys.Event(pidBase, 0);
            byte[] end = PersistenceKeys.After(PersistenceKeys.Event(pidBase, target));
            while (true)
            {
                IReadOnlyList<KeyValuePair<byte[], byte[]>> page = await _storage.ScanAsync(start, end, _replayPageSize, false, cancellationToken).ConfigureAwait(false);
                if (page.Count > 0)
                {
                    await _storage.WriteAsync([.. page.Select(kv => WriteOp.Delete(kv.Key))], cancellationToken).ConfigureAwait(false);
                }

                if (page.Count < _replayPageSize)
                {
                    return;
                }

                start = PersistenceKeys.After(page[^1].Key);
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        ArgumentNullException.ThrowIfNull(recoveryCallback);
        if (max <= 0 || fromSequenceNr > toSequenceNr || toSequenceNr < 1)
        {
            return;
        }

        byte[] pidBase = _keys.PidBase(persistenceId);
        long deleted = await ReadU64Async(PersistenceKeys.Deleted(pidBase), CancellationToken.None).ConfigureAwait(false);
        long from = Math.Max(Math.Max(fromSequenceNr, 1), deleted + 1);
        if (from > toSequenceNr)
        {
            return;
        }

        byte[] start = PersistenceKeys.Event(pidBase, from);
        byte[] end = PersistenceKeys.After(PersistenceKeys.Event(pidBase, toSequenceNr));
        long left = max;
        while (left > 0)
        {
            int limit = (int)Math.Min(_replayPageSize, left);
            IReadOnlyList<KeyValuePair<byte[], byte[]>> page = await _storage.ScanAsync(start, end, limit, false, CancellationToken.None).ConfigureAwait(false);
            foreach (KeyValuePair<byte[], byte[]> kv in page)
            {
                EventRecord record = DecodeEvent(kv.Key, kv.Value, pidBase, persistenceId);
                object payload = _serialization.Deserialize(record.Payload, record.SerializerId, record.SerializerManifest);
                recoveryCallback(new Persistent(payload, record.SequenceNr, persistenceId, record.EventManifest, false, ActorRefs.NoSender, record.WriterGuid, record.Timestamp));
            }

            left -= page.Count;
            if (page.Count < limit)
            {
                return;
            }

            start = PersistenceKeys.After(page[^1].Key);
        }
    }

    /// <inheritdoc/>
    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        Task pending;
        lock (_tailsLock)
        {
            pending = _tails.TryGetValue(persistenceId, out Task? tail) ? tail : Task.CompletedTask;
        }

        // A write still in flight for this id is waited for (it may fail: its outcome does not matter here).
        await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        byte[] pidBase = _keys.PidBase(persistenceId);
        long highest = await ReadU64Async(PersistenceKeys.Highest(pidBase), cancellationToken).ConfigureAwait(false);
        if (highest > 0 && !_storage.AtomicAcrossSlots)
        {
            // Akka asks for the highest sequence number at the start of every recovery, before the actor writes again.
            await RepairIndexTailAsync(persistenceId, pidBase, highest, cancellationToken).ConfigureAwait(false);
        }

        return highest;
    }

    /// <summary>
    /// Cluster mode (FORMAT.md "Consistency of the indexes"): writes the index entries of the newest events of
    /// <paramref name="pid"/> whose index batch never landed (the journal crashed, or the index write failed,
    /// after the events were stored). Only the newest events can lack them: a failed write of an id fails
    /// every later write of that id (<see cref="Chain"/>) until the actor recovers, which comes here first.
    /// Costs one reverse scan of one entry and one get when nothing is missing. The entries are rebuilt from
    /// the stored events (same ordering, same value), so writing one that exists changes nothing.
    /// REQUIRES: highest &gt; 0; cluster mode; no write of the id in flight.
    /// </summary>
    private async Task RepairIndexTailAsync(string pid, byte[] pidBase, long highest, CancellationToken cancellationToken)
    {
        byte[] escapedPid = PersistenceKeys.Escape(pid);
        byte[] start = PersistenceKeys.Event(pidBase, 1);
        byte[] end = PersistenceKeys.After(PersistenceKeys.Event(pidBase, highest));
        var missing = new List<(EventRecord Record, byte[] Value)>();
        int withoutEntries = 0; // events that need no index entry (untagged, all-events index off): they prove nothing
        int limit = 1;
        while (true)
        {
            IReadOnlyList<KeyValuePair<byte[], byte[]>> page = await _storage.ScanAsync(start, end, limit, reverse: true, cancellationToken).ConfigureAwait(false);
            foreach (KeyValuePair<byte[], byte[]> kv in page)
            {
                EventRecord record = DecodeEvent(kv.Key, kv.Value, pidBase, pid);
                byte[]? probe = FirstIndexKey(record, escapedPid);
                if (probe is null)
                {
                    withoutEntries++;
                    continue;
                }

                if (await _storage.GetAsync(probe, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await WriteRepairAsync(pid, missing, escapedPid, cancellationToken).ConfigureAwait(false);
                    return;
                }

                missing.Add((record, kv.Value));
            }

            if (page.Count < limit || missing.Count >= _replayPageSize || withoutEntries >= MaxRepairScanWithoutEntries)
            {
                await WriteRepairAsync(pid, missing, escapedPid, cancellationToken).ConfigureAwait(false);
                return;
            }

            end = page[^1].Key;
            limit = Math.Min(200, _replayPageSize);
        }
    }

    /// <summary>The key of the first index entry of <paramref name="r"/> (its first tag's, else all-events), or null when it has none.</summary>
    private byte[]? FirstIndexKey(EventRecord r, byte[] escapedPid) =>
        r.Tags.Count > 0 ? PersistenceKeys.IndexEntry(_keys.TagBase(r.Tags[0]), r.Ordering, r.SequenceNr, escapedPid)
        : _allEventsIndex ? PersistenceKeys.IndexEntry(_keys.AllBase, r.Ordering, r.SequenceNr, escapedPid)
        : null;

    /// <summary>Writes the index entries of <paramref name="missing"/> (newest first) and, when absent, the id's persistence-ids entry.</summary>
    private async Task WriteRepairAsync(string pid, List<(EventRecord Record, byte[] Value)> missing, byte[] escapedPid, CancellationToken cancellationToken)
    {
        var ops = new List<WriteOp>();
        foreach ((EventRecord r, byte[] value) in missing)
        {
            foreach (string tag in r.Tags)
            {
                ops.Add(WriteOp.Put(PersistenceKeys.IndexEntry(_keys.TagBase(tag), r.Ordering, r.SequenceNr, escapedPid), value));
            }

            if (_allEventsIndex)
            {
                ops.Add(WriteOp.Put(PersistenceKeys.IndexEntry(_keys.AllBase, r.Ordering, r.SequenceNr, escapedPid), value));
            }
        }

        if (missing.Count > 0 && await _storage.GetAsync(_keys.IdsEntry(pid), cancellationToken).ConfigureAwait(false) is null)
        {
            ops.Add(WriteOp.Put(_keys.IdsEntry(pid), U64((long)missing[^1].Record.Ordering)));
        }

        if (ops.Count == 0)
        {
            return;
        }

        await _storage.WriteAsync(ops, cancellationToken).ConfigureAwait(false);
        _log.Warning("wrote the missing index entries of {0} events of {1} (their index batch had not been stored)", missing.Count, pid);
        PublishWritten(pid, [.. missing.Select(m => m.Record)]);
    }

    /// <summary>
    /// The event of <paramref name="value"/> under <paramref name="key"/>; throws <see cref="CorruptionException"/>
    /// naming the key when it does not decode or disagrees with its key.
    /// </summary>
    internal static EventRecord DecodeEvent(byte[] key, byte[] value, byte[] pidBase, string persistenceId)
    {
        EventRecord record;
        try
        {
            record = EventRecord.Decode(value);
        }
        catch (FormatException ex)
        {
            throw new CorruptionException($"corrupt journal entry under key {PersistenceKeys.Describe(key)}: {ex.Message}", ex);
        }

        long keySeq = PersistenceKeys.SeqOf(pidBase, key);
        return record.SequenceNr != keySeq || !string.Equals(record.PersistenceId, persistenceId, StringComparison.Ordinal)
            ? throw new CorruptionException($"corrupt journal entry under key {PersistenceKeys.Describe(key)}: it holds {record.PersistenceId}/{record.SequenceNr}")
            : record;
    }

    private List<EventRecord> Serialize(AtomicWrite write)
    {
        var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
        var records = new List<EventRecord>(events.Count);
        foreach (IPersistentRepresentation p in events)
        {
            object payload = p.Payload;
            IReadOnlyList<string> tags = [];
            if (payload is Tagged tagged)
            {
                payload = tagged.Payload;
                tags = [.. tagged.Tags];
            }

            Akka.Serialization.Serializer serializer = _serialization.FindSerializerFor(payload);
            byte[] bytes = Akka.Serialization.Serialization.WithTransport(_serialization.System, () => serializer.ToBinary(payload));
            string manifest = Akka.Serialization.Serialization.ManifestFor(serializer, payload);
            long timestamp = p.Timestamp != 0 ? p.Timestamp : DateTime.UtcNow.Ticks;
            records.Add(new EventRecord(p.SequenceNr, p.PersistenceId, timestamp, _clock.Next(), serializer.Identifier, manifest, p.Manifest ?? string.Empty, p.WriterGuid ?? string.Empty, tags, bytes));
        }

        return records;
    }

    private async Task WriteGroupAsync(string pid, List<EventRecord> records, CancellationToken cancellationToken)
    {
        byte[] pidBase = _keys.PidBase(pid);
        var ops = new List<WriteOp>(records.Count + 1);
        long highest = 0;
        foreach (EventRecord r in records)
        {
            ops.Add(WriteOp.Put(PersistenceKeys.Event(pidBase, r.SequenceNr), r.Encode()));
            highest = Math.Max(highest, r.SequenceNr);
        }

        ops.Add(WriteOp.Put(PersistenceKeys.Highest(pidBase), U64(highest)));
        List<WriteOp> index = IndexOps(pid, records, ops);
        if (_storage.AtomicAcrossSlots)
        {
            // Embedded: one local store, so the events and their index entries are one atomic batch.
            ops.AddRange(index);
            await _storage.WriteAsync(ops, cancellationToken).ConfigureAwait(false);
            PublishWritten(pid, records);
            return;
        }

        await _storage.WriteAsync(ops, cancellationToken).ConfigureAwait(false);
        if (index.Count == 0)
        {
            PublishWritten(pid, records);
            return;
        }

        Task indexWrite = _storage.WriteAsync(index, CancellationToken.None);
        if (_waitForIndex)
        {
            await indexWrite.ConfigureAwait(false);
            PublishWritten(pid, records);
        }
        else
        {
            _ = indexWrite.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        PublishWritten(pid, records);
                    }
                    else
                    {
                        _log.Warning(t.Exception, "index entries of {0} events of {1} were not written; tag and all-events queries miss them", records.Count, pid);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Tells the read journals of this ActorSystem that <paramref name="records"/> of <paramref name="pid"/>
    /// (and their index entries) are stored, so live queries read now rather than at their refresh interval.
    /// REQUIRES: the records' writes succeeded. Thread-safe (EventStream.Publish).
    /// </summary>
    private void PublishWritten(string pid, List<EventRecord> records)
    {
        string[] tags = records.TrueForAll(static r => r.Tags.Count == 0) ? [] : [.. records.SelectMany(r => r.Tags).Distinct(StringComparer.Ordinal)];
        _eventStream.Publish(new Query.JournalWritten(_keys.Prefix, [pid], tags));
    }

    /// <summary>The index entries (FORMAT.md "Indexes") of <paramref name="records"/>, whose event values are in <paramref name="eventOps"/>.</summary>
    private List<WriteOp> IndexOps(string pid, List<EventRecord> records, List<WriteOp> eventOps)
    {
        var index = new List<WriteOp>();
        byte[] escapedPid = PersistenceKeys.Escape(pid);
        for (int i = 0; i < records.Count; i++)
        {
            EventRecord r = records[i];
            byte[] value = eventOps[i].Value!;
            foreach (string tag in r.Tags)
            {
                index.Add(WriteOp.Put(PersistenceKeys.IndexEntry(_keys.TagBase(tag), r.Ordering, r.SequenceNr, escapedPid), value));
            }

            if (_allEventsIndex)
            {
                index.Add(WriteOp.Put(PersistenceKeys.IndexEntry(_keys.AllBase, r.Ordering, r.SequenceNr, escapedPid), value));
            }
        }

        bool first;
        lock (_tailsLock)
        {
            if (_indexedPids.Count >= MaxRememberedPids)
            {
                _indexedPids.Clear();
            }

            first = _indexedPids.Add(pid);
        }

        if (first)
        {
            index.Add(WriteOp.Put(_keys.IdsEntry(pid), U64((long)records[0].Ordering)));
        }

        return index;
    }

    /// <summary>
    /// Runs <paramref name="work"/> after every earlier chained work of <paramref name="pid"/> (writes of one id
    /// apply in order). When the earlier work failed, this one fails too without running: a later batch must not
    /// land after a lost one. REQUIRES: called on the journal actor's thread.
    /// </summary>
    private Task Chain(string pid, Func<Task> work)
    {
        Task task;
        lock (_tailsLock)
        {
            Task previous = _tails.TryGetValue(pid, out Task? tail) ? tail : Task.CompletedTask;
            task = previous.IsCompletedSuccessfully ? work() : RunAfterAsync(previous, work, pid);
            _tails[pid] = task;
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_tailsLock)
                {
                    if (_tails.TryGetValue(pid, out Task? current) && current == t)
                    {
                        _tails.Remove(pid);
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    private static async Task RunAfterAsync(Task previous, Func<Task> work, string pid)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"an earlier write of {pid} failed, so this one was not applied", ex);
        }

        await work().ConfigureAwait(false);
    }

    private async Task<long> ReadU64Async(byte[] key, CancellationToken cancellationToken)
    {
        byte[]? value = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return value switch
        {
            null => 0,
            { Length: 8 } => (long)BinaryPrimitives.ReadUInt64BigEndian(value),
            _ => throw new CorruptionException($"corrupt sequence marker under key {PersistenceKeys.Describe(key)}: {value.Length} bytes, expected 8"),
        };
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertInvariants()
    {
        lock (_tailsLock)
        {
            System.Diagnostics.Debug.Assert(_indexedPids.Count <= MaxRememberedPids, "the remembered persistence ids are bounded");
            System.Diagnostics.Debug.Assert(_tails.Values.All(static t => t is not null), "every chained id has a tail task");
        }
    }

    private static byte[] U64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)value);
        return bytes;
    }
}
