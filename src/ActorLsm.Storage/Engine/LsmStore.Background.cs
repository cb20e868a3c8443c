using System.Diagnostics;
using ActorLsm.Storage.Compactions;
using ActorLsm.Storage.Manifest;

using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    private ManualCompaction? _manual;

    /// <inheritdoc/>
    public bool NeedsFlush
    {
        get
        {
            lock (_mutex)
            {
                return _immutables.Count > 0 && _backgroundError is null && !_flushRunning;
            }
        }
    }

    /// <inheritdoc/>
    public bool NeedsCompaction
    {
        get
        {
            lock (_mutex)
            {
                return _backgroundError is null && (_manual is not null || _picker.NeedsCompaction(_versions.Current));
            }
        }
    }

    /// <inheritdoc/>
    public bool RunFlushStep()
    {
        Immutable imm;
        ulong number;
        lock (_mutex)
        {
            if (_flushRunning || _immutables.Count == 0 || _backgroundError is not null || _disposed)
            {
                return false;
            }

            _flushRunning = true;
            imm = _immutables[0];
            number = _versions.NewFileNumber();
            _pendingOutputs.Add(number);
        }

        FlushCompletedInfo info;
        try
        {
            FileMetadata? file;
            using (var it = imm.Mem.NewIterator())
            {
                file = TableFileWriter.WriteAll(_dir, number, it, _options);
            }

            lock (_mutex)
            {
                var edit = new VersionEdit
                {
                    // The oldest WAL still needed is that of the next unflushed memtable.
                    LogNumber = _immutables.Count > 1 ? _immutables[1].LogNumber : _memLogNumber,
                    LastSequence = Math.Max(_versions.LastSequence, imm.Mem.LargestSequence),
                };
                if (file is not null)
                {
                    edit.AddFile(0, file);
                }

                _versions.LogAndApply(edit);
                Debug.Assert(ReferenceEquals(_immutables[0], imm), "only the flush step removes immutable memtables");
                _immutables.RemoveAt(0);
                _pendingOutputs.Remove(number);
                InstallSuperVersion();
                imm.Mem.Unref(); // the store's reference; readers still holding it keep the arena alive
                AssertInvariants();
                _counters.Flushes++;
                _counters.FlushBytes += file?.Size ?? 0;
                _flushRunning = false;
                Monitor.PulseAll(_mutex);
                info = new FlushCompletedInfo(file?.Number ?? 0, file?.Size ?? 0, imm.Mem.LargestSequence, edit.LogNumber.Value);
            }
        }
        catch (Exception e)
        {
            RecordBackgroundError("flush", e, number);
            return false;
        }

        DeleteObsoleteFiles();
        FlushCompleted?.Invoke(info);
        _host.RequestCompaction();
        return true;
    }

    /// <inheritdoc/>
    public bool RunCompactionStep()
    {
        Compaction? c;
        ulong[] snapshots;
        lock (_mutex)
        {
            if (_compactionRunning || _backgroundError is not null || _disposed)
            {
                return false;
            }

            // The picker marks the inputs as being compacted and pins the version for us.
            ManualCompaction? manual = _manual;
            if (manual is not null)
            {
                c = _picker.PickManual(_versions.Current, manual.Level, manual.Begin, manual.End);
                if (c is null)
                {
                    manual.LevelDone = true;
                    _manual = null;
                    Monitor.PulseAll(_mutex);
                    return true; // the next step may pick an automatic compaction
                }
            }
            else
            {
                c = _picker.PickCompaction(_versions.Current, _versions.CompactPointers);
                if (c is null)
                {
                    return false;
                }
            }

            _compactionRunning = true;
            snapshots = [.. _snapshots.Keys];
        }

        Exception? error = null;
        try
        {
            RunCompaction(c, snapshots);
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            lock (_mutex)
            {
                c.MarkInputsBeingCompacted(false);
                _compactionRunning = false;
                if (error is null)
                {
                    _counters.Compactions++;
                }

                Monitor.PulseAll(_mutex);
            }

            c.Dispose();
        }

        if (error is not null)
        {
            RecordBackgroundError("compaction", error, 0);
            return false;
        }

        DeleteObsoleteFiles();
        return true;
    }

    /// <summary>
    /// Compacts every level's data overlapping [<paramref name="start"/>, <paramref name="end"/>]
    /// (null = unbounded) down to the deepest level that holds any of it, after flushing the
    /// memtables. Runs the compaction steps on the background host and waits for them.
    /// </summary>
    public void CompactRange(byte[]? start, byte[]? end)
    {
        ThrowIfDisposed();
        Flush();
        int maxLevel;
        lock (_mutex)
        {
            Version v = _versions.Current;
            maxLevel = 0;
            for (int level = 1; level < v.NumLevels; level++)
            {
                if (v.OverlapInLevel(level, start ?? [], end ?? []))
                {
                    maxLevel = level;
                }
            }
        }

        for (int level = 0; level < Math.Max(1, maxLevel); level++)
        {
            var manual = new ManualCompaction(level, start ?? [], end ?? []);
            lock (_mutex)
            {
                while (_manual is not null && _backgroundError is null && !_disposed)
                {
                    Monitor.Wait(_mutex);
                }

                ThrowIfDisposed();
                ThrowIfBackgroundError();
                _manual = manual;
                _host.RequestCompaction();
                while (!manual.LevelDone && _backgroundError is null && !_disposed)
                {
                    Monitor.Wait(_mutex, TimeSpan.FromMilliseconds(200));
                    _host.RequestCompaction();
                }

                if (_manual == manual)
                {
                    _manual = null;
                }

                ThrowIfDisposed();
                ThrowIfBackgroundError();
            }
        }
    }

    /// <summary>A copy of the store's counters and level shape.</summary>
    public LsmStats GetStats()
    {
        lock (_mutex)
        {
            Version v = _versions.Current;
            var levels = new LevelStats[v.NumLevels];
            for (int level = 0; level < levels.Length; level++)
            {
                levels[level] = new LevelStats(level, v.NumFiles(level), v.LevelBytes(level));
            }

            return new LsmStats
            {
                UserBytesWritten = _counters.UserBytes,
                WalBytesWritten = _counters.WalBytes,
                FlushBytesWritten = _counters.FlushBytes,
                CompactionBytesRead = Interlocked.Read(ref _counters.CompactionBytesRead),
                CompactionBytesWritten = Interlocked.Read(ref _counters.CompactionBytesWritten),
                Flushes = _counters.Flushes,
                Compactions = _counters.Compactions,
                WriteGroups = _counters.WriteGroups,
                WalSyncs = Interlocked.Read(ref _counters.WalSyncs),
                Levels = levels,
                BlockCacheHits = _blockCache?.Hits ?? 0,
                BlockCacheMisses = _blockCache?.Misses ?? 0,
                BlockCacheUsage = _blockCache?.Usage ?? 0,
                NativeBlockBytes = Tables.Block.LiveNativeBytes,
                NativeBlocks = Tables.Block.LiveNativeBlocks,
                StallTime = TimeSpan.FromTicks(_counters.StallTicks),
                SlowdownCount = _counters.Slowdowns,
                StopCount = _counters.Stops,
                MemTableBytes = _mem.ApproximateMemoryUsage + _immutables.Sum(i => i.Mem.ApproximateMemoryUsage),
                ImmutableMemTables = _immutables.Count,
                LastSequence = _lastSequence,
                LiveSnapshots = _snapshots.Values.Sum(),
            };
        }
    }

    /// <summary>REQUIRES: the compaction's inputs are marked and its version pinned (both by the picker).</summary>
    private void RunCompaction(Compaction c, ulong[] snapshots)
    {
        var edit = new VersionEdit();
        if (c.IsTrivialMove && !c.IsManual)
        {
            // One file, nothing below it to merge with: move it down without rewriting.
            FileMetadata file = c.Inputs0[0];
            edit.DeleteFile(c.Level, file.Number);
            edit.AddFile(c.OutputLevel, file);
            edit.CompactPointers.Add((c.Level, c.CompactPointer));
            lock (_mutex)
            {
                _versions.LogAndApply(edit);
                InstallSuperVersion();
            }

            return;
        }

        var outputNumbers = new List<ulong>();
        var job = new CompactionJob(_dir, _options, _tableCache, c, snapshots, () =>
        {
            ulong n = _versions.NewFileNumber();
            lock (_mutex)
            {
                _pendingOutputs.Add(n);
            }

            outputNumbers.Add(n);
            return n;
        }, _rateLimiter);

        try
        {
            List<FileMetadata> outputs = job.Run();
            c.AddInputDeletions(edit);
            foreach (FileMetadata output in outputs)
            {
                edit.AddFile(c.OutputLevel, output);
            }

            if (!c.IsManual)
            {
                edit.CompactPointers.Add((c.Level, c.CompactPointer));
            }

            lock (_mutex)
            {
                _versions.LogAndApply(edit);
                InstallSuperVersion();
            }

            Interlocked.Add(ref _counters.CompactionBytesRead, job.BytesRead);
            Interlocked.Add(ref _counters.CompactionBytesWritten, job.BytesWritten);
        }
        finally
        {
            lock (_mutex)
            {
                foreach (ulong n in outputNumbers)
                {
                    _pendingOutputs.Remove(n);
                }
            }
        }
    }

    private void RecordBackgroundError(string what, Exception e, ulong pendingOutput)
    {
        lock (_mutex)
        {
            if (what == "flush")
            {
                _flushRunning = false;
            }

            _pendingOutputs.Remove(pendingOutput);
            if (!_disposed)
            {
                _backgroundError ??= new BackgroundErrorException($"background {what} failed; the store refuses writes until reopened: {e.Message}", e);
            }

            Monitor.PulseAll(_mutex);
        }
    }

    /// <summary>
    /// Deletes files no longer needed: SSTables in no referenced version and not being written,
    /// WAL segments below the manifest's log number, old manifests and temp files (LevelDB's
    /// RemoveObsoleteFiles). Safe to call from any thread. Temp files are removed only at open,
    /// when nothing can be writing one.
    /// </summary>
    private void DeleteObsoleteFiles(bool atOpen = false)
    {
        var live = new HashSet<ulong>();
        ulong logNumber;
        ulong manifestNumber;
        string[] listing;
        lock (_mutex)
        {
            if (_disposed || _backgroundError is not null)
            {
                return; // after an error, keep everything for inspection and recovery
            }

            // List the directory under the mutex, with the live set: a file created after this
            // point is not in the listing, so it cannot be mistaken for an obsolete one.
            live.UnionWith(_pendingOutputs);
            _versions.AddLiveFiles(live);
            logNumber = _versions.LogNumber;
            manifestNumber = _versions.ManifestNumber;
            listing = Directory.GetFiles(_dir);
        }

        foreach (string path in listing)
        {
            if (!FileNames.TryParse(System.IO.Path.GetFileName(path), out FileKind kind, out ulong number))
            {
                continue;
            }

            bool keep = kind switch
            {
                FileKind.Log => number >= logNumber,
                FileKind.Table => live.Contains(number),
                FileKind.Manifest => number >= manifestNumber,
                FileKind.Temp => !atOpen, // a temp file may be a CURRENT being installed right now
                _ => true,
            };
            if (keep)
            {
                continue;
            }

            if (kind == FileKind.Table)
            {
                _tableCache.Evict(number);
            }

            try
            {
                _options.FileSystem.Delete(path);
            }
            catch (IOException)
            {
                // Retried on the next pass.
            }
        }
    }

    /// <summary>A CompactRange request for one level, served by the compaction steps.</summary>
    private sealed class ManualCompaction
    {
        public ManualCompaction(int level, byte[] begin, byte[] end)
        {
            Level = level;
            Begin = begin;
            End = end;
        }

        public int Level { get; }

        public byte[] Begin { get; }

        public byte[] End { get; }

        /// <summary>REQUIRES: guarded by the store's mutex.</summary>
        public bool LevelDone { get; set; }
    }
}
