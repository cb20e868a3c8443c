using ActorLsm.Storage.Compactions;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Memtables;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    /// <summary>
    /// REQUIRES: called once, from <see cref="Open"/>, before any other thread sees the store.
    /// Replays the manifest, then every WAL segment the manifest does not cover, oldest first,
    /// writing what they hold to L0 SSTables; then starts a fresh manifest and WAL segment and
    /// records all of it in one version edit before deleting the replayed segments.
    /// </summary>
    private void Recover()
    {
        lock (_mutex)
        {
            bool existed = _versions.Recover();
            if (!existed && HasStoreFiles(_dir))
            {
                throw new CorruptionException(FileNames.Current(_dir), 0, "the directory holds WAL segments or SSTables but no CURRENT file");
            }

            var edit = new VersionEdit();
            ulong maxSequence = _versions.LastSequence;
            var logs = new List<ulong>();
            foreach (string path in Directory.EnumerateFiles(_dir))
            {
                if (FileNames.TryParse(System.IO.Path.GetFileName(path), out FileKind kind, out ulong number))
                {
                    _versions.MarkFileNumberUsed(number);
                    if (kind == FileKind.Log && number >= _versions.LogNumber)
                    {
                        logs.Add(number);
                    }
                }
            }

            logs.Sort();
            var mem = new MemTable(_options.MemTableSize);
            var replay = new ReplayCounts();
            for (int i = 0; i < logs.Count; i++)
            {
                ReplayLog(logs[i], ref mem, edit, ref maxSequence, replay, IsLastNonEmptyLog(logs, i));
            }

            Recovery = new RecoveryStats(logs.Count, replay.Records, replay.DroppedTailRecords, replay.DroppedTailBytes, _versions.ManifestTornTail);

            if (!mem.IsEmpty)
            {
                FlushRecovered(mem, edit);
            }

            mem.Unref(); // recovery's memtable is no longer read: free its arena

            _versions.LastSequence = maxSequence;
            _versions.WriteSnapshotManifest();

            _memLogNumber = _versions.NewFileNumber();
            _wal = new LogWriter(FileNames.Log(_dir, _memLogNumber), fileSystem: _options.FileSystem, extendChunk: WalExtendChunk);
            edit.LogNumber = _memLogNumber;
            edit.LastSequence = maxSequence;
            _versions.LogAndApply(edit);
            _lastSequence = maxSequence;
            _memFirstSequence = maxSequence + 1;
            InstallSuperVersion();
        }

        DeleteObsoleteFiles(atOpen: true);
    }

    private static bool HasStoreFiles(string dir)
    {
        foreach (string path in Directory.EnumerateFiles(dir))
        {
            if (FileNames.TryParse(System.IO.Path.GetFileName(path), out FileKind kind, out _)
                && kind is FileKind.Log or FileKind.Table)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The error that made the store read-only (a failed WAL write or fsync, flush or
    /// compaction), or null. Once set it stays until the store is reopened: writes throw
    /// <see cref="BackgroundErrorException"/>, reads keep working, and a failed fsync is never
    /// retried (its data may already be lost; PostgreSQL's "fsyncgate"). FAULTS.md.
    /// </summary>
    public Exception? BackgroundError
    {
        get
        {
            lock (_mutex)
            {
                return _backgroundError;
            }
        }
    }

    /// <summary>What <see cref="Open"/> recovered: WAL segments and records replayed, and any torn tail dropped.</summary>
    public RecoveryStats Recovery { get; private set; } = new(0, 0, 0, 0, false);

    /// <summary>
    /// True when every segment after <c>logs[i]</c> is empty: a segment is rolled (and synced)
    /// before the next one gets a write, so only this one can end in a torn append. Empty newer
    /// segments are those a crashed open or roll created before any write reached them.
    /// </summary>
    private bool IsLastNonEmptyLog(List<ulong> logs, int i)
    {
        for (int j = i + 1; j < logs.Count; j++)
        {
            if (new FileInfo(FileNames.Log(_dir, logs[j])).Length > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Inserts every write batch of one WAL segment into <paramref name="mem"/>, flushing it to
    /// L0 when full. A torn tail (crash mid-append) in the last non-empty segment ends it: that
    /// batch was never acknowledged, and it is counted in <paramref name="counts"/>. A torn tail
    /// in an older segment (synced whole when it was rolled) or corruption before the tail throws
    /// <see cref="CorruptionException"/>.
    /// </summary>
    private void ReplayLog(ulong number, ref MemTable mem, VersionEdit edit, ref ulong maxSequence, ReplayCounts counts, bool mayBeTorn)
    {
        string path = FileNames.Log(_dir, number);
        using var reader = new LogReader(path);
        while (true)
        {
            long offset = reader.Offset;
            if (!reader.TryReadRecord(out ReadOnlySpan<byte> payload, out _))
            {
                if (reader.TornTail)
                {
                    if (!mayBeTorn)
                    {
                        throw new CorruptionException(path, offset, "bad last record in a WAL segment that was rolled (and synced) before a newer one was written");
                    }

                    counts.DroppedTailRecords++;
                    counts.DroppedTailBytes += new FileInfo(path).Length - offset;
                }

                break;
            }

            counts.Records++;

            var batch = new WriteBatch.Reader(payload, path, offset);
            ulong sequence = batch.Sequence;
            while (batch.TryNext(out ValueKind kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
            {
                if (!mem.TryAdd(sequence, kind, key, value))
                {
                    FlushRecovered(mem, edit);
                    mem.Unref();
                    mem = new MemTable(Math.Max(_options.MemTableSize, MemTable.EstimateEntrySize(key.Length, value.Length) + 4096));
                    if (!mem.TryAdd(sequence, kind, key, value))
                    {
                        throw new InvalidOperationException("a fresh memtable could not hold one recovered entry");
                    }
                }

                maxSequence = Math.Max(maxSequence, sequence);
                sequence++;
            }
        }
    }

    /// <summary>Counters of one recovery's WAL replay.</summary>
    private sealed class ReplayCounts
    {
        public long Records;
        public int DroppedTailRecords;
        public long DroppedTailBytes;
    }

    private void FlushRecovered(MemTable mem, VersionEdit edit)
    {
        ulong number = _versions.NewFileNumber();
        using var it = mem.NewIterator();
        FileMetadata? file = TableFileWriter.WriteAll(_dir, number, it, _options);
        if (file is not null)
        {
            edit.AddFile(0, file);
            _counters.FlushBytes += file.Size;
        }
    }
}
