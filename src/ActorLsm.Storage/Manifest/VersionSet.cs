using System.Diagnostics;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// The current <see cref="Version"/>, the manifest that records how it came to be, and the
/// counters the store recovers from it (next file number, log number, last sequence), after
/// LevelDB's VersionSet. Every change goes through <see cref="LogAndApply"/>: the version edit
/// is appended to the manifest and fsynced before the new version is installed, so what a
/// reader sees is always recoverable. Versions are reference counted; the files of every
/// version still referenced (by readers, iterators or compactions) are live and never deleted.
/// REQUIRES: all members except <see cref="NewFileNumber"/> and the live-file query are called
/// under the store's mutex.
/// </summary>
internal sealed class VersionSet : IDisposable
{
    /// <summary>A manifest larger than this is rewritten as one snapshot edit on the next change.</summary>
    private const long MaxManifestSize = 64L * 1024 * 1024;

    private readonly string _dir;
    private readonly LsmOptions _options;
    private readonly HashSet<Version> _liveVersions = [];
    private readonly object _liveLock = new();
    private ManifestWriter? _manifest;
    private ulong _manifestNumber;
    private long _nextFileNumber = 2;
    private Version _current;

    public VersionSet(string dir, LsmOptions options)
    {
        _dir = dir;
        _options = options;
        CompactPointers = new byte[]?[options.NumLevels];
        _current = Install(VersionBuilder.Empty(options.NumLevels, OnUnreferenced));
    }

    /// <summary>The newest version. Take a <see cref="Version.Ref"/> before using it outside the mutex.</summary>
    public Version Current => _current;

    /// <summary>WAL segments numbered below this are covered by SSTables.</summary>
    public ulong LogNumber { get; private set; }

    /// <summary>Highest sequence number recorded durably in SSTables or the manifest.</summary>
    public ulong LastSequence { get; set; }

    /// <summary>Per level, where the next size-triggered compaction starts (round robin).</summary>
    public byte[]?[] CompactPointers { get; }

    public ulong ManifestNumber => _manifestNumber;

    /// <summary>True when <see cref="Recover"/> dropped a torn last edit of the manifest.</summary>
    public bool ManifestTornTail { get; private set; }

    /// <summary>Next number for a WAL segment, SSTable or manifest. Thread-safe.</summary>
    public ulong NewFileNumber() => (ulong)Interlocked.Increment(ref _nextFileNumber) - 1;

    /// <summary>Makes sure <see cref="NewFileNumber"/> never hands out <paramref name="number"/> again.</summary>
    public void MarkFileNumberUsed(ulong number)
    {
        long next = (long)number + 1;
        long seen;
        while ((seen = Volatile.Read(ref _nextFileNumber)) < next)
        {
            Interlocked.CompareExchange(ref _nextFileNumber, next, seen);
        }
    }

    /// <summary>
    /// Loads the state CURRENT points to. Returns false when the directory has no CURRENT (a new
    /// store). Throws <see cref="CorruptionException"/> when the manifest does not replay.
    /// </summary>
    public bool Recover()
    {
        ulong? manifestNumber = CurrentFile.ReadManifestNumber(_dir);
        if (manifestNumber is null)
        {
            return false;
        }

        string path = FileNames.Manifest(_dir, manifestNumber.Value);
        if (!File.Exists(path))
        {
            throw new CorruptionException(FileNames.Current(_dir), 0, $"CURRENT names {Path.GetFileName(path)}, which does not exist");
        }

        var builder = new VersionBuilder(_current, _options.NumLevels);
        List<VersionEdit> edits = ManifestReader.ReadAll(path, out bool tornTail);
        ManifestTornTail = tornTail;
        if (edits.Count == 0)
        {
            // CURRENT names a manifest only once its first edit (the snapshot) is durable.
            throw new CorruptionException(path, 0, "the manifest named by CURRENT holds no edit");
        }

        foreach (VersionEdit edit in edits)
        {
            builder.Apply(edit);
            ApplyCounters(edit);
        }

        Version recovered = builder.Build(OnUnreferenced);
        foreach ((int _, FileMetadata file) in FilesOf(recovered))
        {
            MarkFileNumberUsed(file.Number);
            string table = FileNames.Table(_dir, file.Number);
            var info = new FileInfo(table);
            if (!info.Exists)
            {
                throw new CorruptionException(table, 0, $"SSTable {file.Number} is named by {Path.GetFileName(path)} but missing");
            }

            if (info.Length != file.Size)
            {
                throw new CorruptionException(table, Math.Min(info.Length, file.Size), $"SSTable {file.Number} has {info.Length} bytes, {Path.GetFileName(path)} records {file.Size}");
            }
        }

        MarkFileNumberUsed(manifestNumber.Value);
        MarkFileNumberUsed(LogNumber);
        ReplaceCurrent(recovered);
        _manifestNumber = manifestNumber.Value;
        return true;
    }

    /// <summary>
    /// Starts a fresh manifest holding one snapshot edit of the current state and points
    /// CURRENT at it (temp file, fsync, rename, directory fsync). Called at open and when the
    /// manifest grows past its limit. The previous manifest becomes obsolete.
    /// </summary>
    public void WriteSnapshotManifest()
    {
        ulong number = NewFileNumber();
        var snapshot = new VersionEdit
        {
            LogNumber = LogNumber,
            NextFileNumber = (ulong)Volatile.Read(ref _nextFileNumber) + 1,
            LastSequence = LastSequence,
        };
        for (int level = 0; level < CompactPointers.Length; level++)
        {
            if (CompactPointers[level] is { } pointer)
            {
                snapshot.CompactPointers.Add((level, pointer));
            }
        }

        foreach ((int level, FileMetadata file) in FilesOf(_current))
        {
            snapshot.AddFile(level, file);
        }

        var writer = new ManifestWriter(FileNames.Manifest(_dir, number), _options.FileSystem);
        try
        {
            writer.Append(snapshot);
            CurrentFile.Install(_dir, number, NewFileNumber(), _options.FileSystem);
        }
        catch
        {
            writer.Dispose();
            throw;
        }

        _manifest?.Dispose();
        _manifest = writer;
        _manifestNumber = number;
    }

    /// <summary>
    /// Durably records <paramref name="edit"/> in the manifest, then installs the version it
    /// produces. On an I/O error nothing is installed and the exception propagates.
    /// </summary>
    public void LogAndApply(VersionEdit edit)
    {
        Debug.Assert(_manifest is not null, "WriteSnapshotManifest runs at open");
        edit.NextFileNumber ??= (ulong)Volatile.Read(ref _nextFileNumber) + 1;
        edit.LastSequence ??= LastSequence;
        var builder = new VersionBuilder(_current, _options.NumLevels);
        builder.Apply(edit);
        Version next = builder.Build(OnUnreferenced);

        // The edit may name new SSTables or a new WAL segment: their directory entries must be
        // durable before the manifest refers to them (POSIX: fsync of a file does not cover them).
        if (edit.NewFiles.Count > 0 || edit.LogNumber is not null)
        {
            _options.FileSystem.SyncDirectory(_dir);
        }

        if (_manifest!.Length > MaxManifestSize)
        {
            _manifest.Append(edit);
            ApplyCounters(edit);
            ReplaceCurrent(next);
            WriteSnapshotManifest();
            return;
        }

        _manifest.Append(edit);
        ApplyCounters(edit);
        ReplaceCurrent(next);
    }

    /// <summary>Adds the number of every file in every referenced version to <paramref name="live"/>. Thread-safe.</summary>
    public void AddLiveFiles(HashSet<ulong> live)
    {
        lock (_liveLock)
        {
            foreach (Version v in _liveVersions)
            {
                foreach ((int _, FileMetadata file) in FilesOf(v))
                {
                    live.Add(file.Number);
                }
            }
        }
    }

    public void Dispose()
    {
        _manifest?.Dispose();
        _manifest = null;
    }

    /// <summary>Every file of <paramref name="v"/> with its level.</summary>
    public static IEnumerable<(int Level, FileMetadata File)> FilesOf(Version v)
    {
        for (int level = 0; level < v.NumLevels; level++)
        {
            foreach (FileMetadata file in v.Files(level))
            {
                yield return (level, file);
            }
        }
    }

    private void ApplyCounters(VersionEdit edit)
    {
        if (edit.LogNumber is { } log)
        {
            LogNumber = log;
        }

        if (edit.NextFileNumber is { } next && next > 0)
        {
            MarkFileNumberUsed(next - 1);
        }

        if (edit.LastSequence is { } last && last > LastSequence)
        {
            LastSequence = last;
        }

        foreach ((int level, byte[] key) in edit.CompactPointers)
        {
            if (level < CompactPointers.Length)
            {
                CompactPointers[level] = key;
            }
        }
    }

    private void ReplaceCurrent(Version next)
    {
        Version old = _current;
        _current = Install(next);
        old.Unref();
    }

    private Version Install(Version v)
    {
        lock (_liveLock)
        {
            _liveVersions.Add(v);
        }

        v.Ref();
        return v;
    }

    private void OnUnreferenced(Version v)
    {
        lock (_liveLock)
        {
            _liveVersions.Remove(v);
        }
    }
}
