using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Util;
using ActorLsm.Storage.Wal;

using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage;

public sealed partial class LsmStore
{
    /// <summary>
    /// Writes a consistent copy of the store into <paramref name="directory"/> that
    /// <see cref="Open"/> opens as a store of its own (RocksDB's Checkpoint::CreateCheckpoint):
    /// flushes the memtables, then hard-links (or, where linking fails, copies and fsyncs) every
    /// SSTable of the current version and writes a manifest snapshot and CURRENT there. The copy
    /// has no WAL; its <see cref="LastSequence"/> is the returned value. Flushes and compactions
    /// may run meanwhile: the version being copied is pinned so its files are not deleted.
    /// REQUIRES: no write (<see cref="Put(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>, <see cref="Delete"/>, <see cref="Write"/>,
    /// <see cref="WriteAt(WriteBatch, ulong)"/>) runs during the call; the caller pauses its writes. A write that
    /// slips in is detected when possible (<see cref="InvalidOperationException"/>).
    /// </summary>
    /// <param name="directory">Where to create the checkpoint; must not exist or be empty. Created.</param>
    /// <returns>The checkpoint's last sequence number: it holds exactly the writes up to it.</returns>
    /// <exception cref="IOException"><paramref name="directory"/> is not empty, or a file operation failed (the directory may then hold a partial checkpoint that does not open).</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or is the store's own directory.</exception>
    /// <exception cref="InvalidOperationException">A write ran during the call.</exception>
    /// <exception cref="BackgroundErrorException">The flush failed.</exception>
    public ulong CreateCheckpoint(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string dest = System.IO.Path.GetFullPath(directory);
        if (string.Equals(dest.TrimEnd(System.IO.Path.DirectorySeparatorChar), _dir.TrimEnd(System.IO.Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new ArgumentException($"checkpoint directory {dest} is the store's own directory", nameof(directory));
        }

        if (Directory.Exists(dest) && Directory.EnumerateFileSystemEntries(dest).Any())
        {
            throw new IOException($"checkpoint directory {dest} is not empty");
        }

        Flush();
        Version version;
        ulong last;
        var snapshot = new VersionEdit();
        lock (_mutex)
        {
            ThrowIfDisposed();
            ThrowIfBackgroundError();
            if (!_mem.IsEmpty || _immutables.Count > 0)
            {
                throw new InvalidOperationException("a write ran during CreateCheckpoint; pause writes while a checkpoint is taken");
            }

            version = _versions.Current;
            version.Ref(); // pinned: DeleteObsoleteFiles keeps the files of every referenced version
            last = _lastSequence;
            for (int level = 0; level < _versions.CompactPointers.Length; level++)
            {
                if (_versions.CompactPointers[level] is { } pointer)
                {
                    snapshot.CompactPointers.Add((level, pointer));
                }
            }
        }

        try
        {
            Directory.CreateDirectory(dest);
            ulong maxNumber = 0;
            foreach ((int level, FileMetadata file) in VersionSet.FilesOf(version))
            {
                FileLink.LinkOrCopy(FileNames.Table(_dir, file.Number), FileNames.Table(dest, file.Number));
                snapshot.AddFile(level, file);
                maxNumber = Math.Max(maxNumber, file.Number);
            }

            // The checkpoint numbers its own files above every copied table; it has no WAL, so
            // every log number is covered.
            ulong manifestNumber = maxNumber + 1;
            ulong tempNumber = maxNumber + 2;
            snapshot.LogNumber = maxNumber + 3;
            snapshot.NextFileNumber = maxNumber + 4;
            snapshot.LastSequence = last;
            using (var manifest = new ManifestWriter(FileNames.Manifest(dest, manifestNumber)))
            {
                manifest.Append(snapshot);
            }

            CurrentFile.Install(dest, manifestNumber, tempNumber); // also fsyncs the directory
        }
        finally
        {
            version.Unref();
        }

        return last;
    }

    /// <summary>
    /// Discards, in the CLOSED store in <paramref name="directory"/>, every write with a sequence
    /// number above <paramref name="sequence"/>, so that the next <see cref="Open"/> has
    /// LastSequence == min(old LastSequence, <paramref name="sequence"/>) and none of the
    /// discarded writes is visible: a follower truncating its log to the leader epoch's start
    /// offset before fetching (Kafka KIP-101). It works only while those writes are still in WAL
    /// segments: it deletes the segments that start above <paramref name="sequence"/> (newest
    /// first, so a crash midway leaves a prefix) and cuts the segment holding the first discarded
    /// batch at that batch, fsyncing both.
    /// </summary>
    /// <param name="directory">The store directory; no store may have it open.</param>
    /// <param name="sequence">Last sequence number to keep.</param>
    /// <param name="options">The options the store is opened with (defaults when null).</param>
    /// <returns>
    /// True when the store now ends at or below <paramref name="sequence"/> (including when
    /// nothing needed discarding). False, with nothing changed, when SSTables may hold a write
    /// above <paramref name="sequence"/> (the manifest's last sequence is above it) or when
    /// <paramref name="sequence"/> falls inside a write batch (batches are atomic): the caller
    /// must rebuild the store from a snapshot instead.
    /// </returns>
    /// <exception cref="StoreLockedException">The store is open.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="CorruptionException">The manifest or a WAL segment fails its checks.</exception>
    public static bool TruncateAfter(string directory, ulong sequence, LsmOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options = (options ?? new LsmOptions()).Clone();
        options.Validate();
        string dir = System.IO.Path.GetFullPath(directory);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"store directory {dir} does not exist");
        }

        using FileStream lockFile = AcquireLock(dir);
        ulong logNumber;
        using (var versions = new VersionSet(dir, options))
        {
            if (!versions.Recover())
            {
                if (HasStoreFiles(dir))
                {
                    throw new CorruptionException(FileNames.Current(dir), 0, "the directory holds WAL segments or SSTables but no CURRENT file");
                }

                return true; // a store never opened holds no writes
            }

            if (versions.LastSequence > sequence)
            {
                return false;
            }

            logNumber = versions.LogNumber;
        }

        List<ulong> logs = LiveLogs(dir, logNumber);
        for (int i = 0; i < logs.Count; i++)
        {
            string path = FileNames.Log(dir, logs[i]);
            long? cut = FindCut(path, sequence, out bool straddles);
            if (straddles)
            {
                return false;
            }

            if (cut is { } offset)
            {
                for (int j = logs.Count - 1; j > i; j--)
                {
                    options.FileSystem.Delete(FileNames.Log(dir, logs[j]));
                }

                options.FileSystem.SyncDirectory(dir);
                LogRecovery.TruncateTornTail(path, offset, options.FileSystem);
                return true;
            }
        }

        return true;
    }

    /// <summary>
    /// Offset of the first batch in the WAL segment at <paramref name="path"/> whose sequences lie
    /// above <paramref name="sequence"/>, or null when there is none. Sets
    /// <paramref name="straddles"/> when a batch holds both sides of <paramref name="sequence"/>.
    /// </summary>
    private static long? FindCut(string path, ulong sequence, out bool straddles)
    {
        straddles = false;
        using var reader = new LogReader(path);
        while (true)
        {
            long offset = reader.Offset;
            if (!reader.TryReadRecord(out ReadOnlySpan<byte> payload, out _))
            {
                return null;
            }

            var batch = new WriteBatch.Reader(payload, path, offset);
            if (batch.Count == 0 || batch.Sequence + batch.Count - 1 <= sequence)
            {
                continue;
            }

            straddles = batch.Sequence <= sequence;
            return offset;
        }
    }

    /// <summary>WAL segments numbered at or above <paramref name="logNumber"/> (the ones recovery replays), oldest first.</summary>
    private static List<ulong> LiveLogs(string dir, ulong logNumber)
    {
        var logs = new List<ulong>();
        foreach (string path in Directory.EnumerateFiles(dir))
        {
            if (FileNames.TryParse(System.IO.Path.GetFileName(path), out FileKind kind, out ulong number)
                && kind == FileKind.Log && number >= logNumber)
            {
                logs.Add(number);
            }
        }

        logs.Sort();
        return logs;
    }
}
