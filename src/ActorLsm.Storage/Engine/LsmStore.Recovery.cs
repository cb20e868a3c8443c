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
            foreach (ulong log in logs)
            {
                ReplayLog(log, ref mem, edit, ref maxSequence);
            }

            if (!mem.IsEmpty)
            {
                FlushRecovered(mem, edit);
            }

            mem.Unref(); // recovery's memtable is no longer read: free its arena

            _versions.LastSequence = maxSequence;
            _versions.WriteSnapshotManifest();

            _memLogNumber = _versions.NewFileNumber();
            _wal = new LogWriter(FileNames.Log(_dir, _memLogNumber), fileSystem: _options.FileSystem);
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
    /// Inserts every write batch of one WAL segment into <paramref name="mem"/>, flushing it to
    /// L0 when full. A torn tail (crash mid-append) ends the segment quietly: that batch was
    /// never acknowledged. Corruption before the tail throws.
    /// </summary>
    private void ReplayLog(ulong number, ref MemTable mem, VersionEdit edit, ref ulong maxSequence)
    {
        string path = FileNames.Log(_dir, number);
        using var reader = new LogReader(path);
        while (true)
        {
            long offset = reader.Offset;
            if (!reader.TryReadRecord(out ReadOnlySpan<byte> payload, out _))
            {
                break;
            }

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
