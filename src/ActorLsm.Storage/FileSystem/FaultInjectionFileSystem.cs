using System.Diagnostics;

namespace ActorLsm.Storage.FileSystem;

/// <summary>The operations <see cref="FaultInjectionFileSystem"/> counts and can fail.</summary>
public enum FaultOperation
{
    /// <summary>A file is created or opened for writing (<see cref="IFileSystem.OpenWritable"/>).</summary>
    Create,

    /// <summary>Bytes are written to a file. Not counted as a crash point (unsynced bytes are lost at a crash anyway), but can be failed.</summary>
    Write,

    /// <summary>A file's data is fsynced.</summary>
    Sync,

    /// <summary>A file is cut or extended (<see cref="WritableFile.SetLength"/>).</summary>
    SetLength,

    /// <summary>A file is renamed.</summary>
    Rename,

    /// <summary>A file is deleted.</summary>
    Delete,

    /// <summary>A directory's entries are fsynced.</summary>
    SyncDirectory,
}

/// <summary>Thrown by <see cref="FaultInjectionFileSystem"/> at the operation chosen as the crash point; every later operation is dropped.</summary>
public sealed class SimulatedCrashException : IOException
{
    public SimulatedCrashException()
        : base("simulated crash")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A file system for tests that remembers what a machine crash would keep, after RocksDB's
/// FaultInjectionTestFS. Writes go to the real files at once (so readers see them), while the
/// layer tracks, per file, how many bytes were fsynced, and, per directory, every create,
/// rename and delete made since that directory's last fsync (file data and directory entries
/// are made durable separately, as on Linux). <see cref="SimulateCrash"/> then puts the disk
/// in the state a power loss would leave: each file is cut back to its synced length, and
/// unsynced directory operations are undone in reverse order (a created file vanishes, a
/// renamed one goes back and the file it replaced returns, a deleted one returns; deleted and
/// replaced files wait in a <c>.faultfs-trash</c> folder inside their directory until then).
/// <para>
/// Crash points: every operation but <see cref="FaultOperation.Write"/> is counted
/// (<see cref="Operations"/>); when the count reaches <see cref="CrashAtOperation"/> that
/// operation throws <see cref="SimulatedCrashException"/> and from then on every operation is
/// dropped without touching the disk, as if the process had died. <see cref="FaultInjector"/>
/// fails chosen operations with any exception (ENOSPC on a write, EIO on an fsync). After a
/// failed <see cref="WritableFile.Sync"/> the bytes it covered stay lost even if a later fsync
/// of the same file succeeds (Linux marks the dirty pages clean after reporting the error:
/// PostgreSQL's "fsyncgate"), so an engine that retries fsync and carries on is caught.
/// </para>
/// <para>
/// Assumptions: files that exist when first opened through this layer are durable; a cut by
/// <see cref="WritableFile.SetLength"/> is durable at once. Real fsyncs are skipped unless
/// asked for, so tests with sync-per-write run fast. Thread-safe (one lock).
/// </para>
/// </summary>
public sealed class FaultInjectionFileSystem : IFileSystem
{
    private const string TrashFolder = ".faultfs-trash";

    private readonly IFileSystem _inner = DefaultFileSystem.Instance;
    private readonly bool _realSync;
    private readonly object _lock = new();
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly List<DirectoryOperation> _pending = [];
    private readonly HashSet<string> _trashFolders = new(StringComparer.Ordinal);
    private long _operations;
    private long _trashCounter;
    private bool _crashed;

    /// <param name="realSync">True to also run the real fsyncs (slower; only for tests of the real layer).</param>
    public FaultInjectionFileSystem(bool realSync = false)
    {
        _realSync = realSync;
    }

    /// <summary>Counted operations so far (all but writes).</summary>
    public long Operations
    {
        get
        {
            lock (_lock)
            {
                return _operations;
            }
        }
    }

    /// <summary>1-based number of the counted operation that crashes; -1 (the default) for none.</summary>
    public long CrashAtOperation { get; set; } = -1;

    /// <summary>True once the crash point was reached or <see cref="CrashNow"/> was called: every operation is dropped.</summary>
    public bool Crashed
    {
        get
        {
            lock (_lock)
            {
                return _crashed;
            }
        }
    }

    /// <summary>
    /// Called before every operation with its kind and path; a non-null result is thrown instead
    /// of performing it. Runs under the layer's lock: keep it quick.
    /// </summary>
    public Func<FaultOperation, string, Exception?>? FaultInjector { get; set; }

    /// <summary>Bytes discarded and directory operations undone by the last <see cref="SimulateCrash"/>.</summary>
    public (long DroppedBytes, int UndoneDirectoryOperations) LastCrash { get; private set; }

    /// <summary>Makes the process "die" now: every later operation is dropped.</summary>
    public void CrashNow()
    {
        lock (_lock)
        {
            _crashed = true;
        }
    }

    /// <summary>
    /// Puts the disk in the state a machine crash would leave (see the type's remarks), then
    /// forgets all tracking: the layer is usable again, with every file now counted as durable.
    /// REQUIRES: the store using this layer was disposed (or its writes are dropped: call
    /// <see cref="CrashNow"/> first).
    /// </summary>
    public void SimulateCrash()
    {
        lock (_lock)
        {
            _crashed = true;
            long dropped = 0;
            foreach ((string path, FileState state) in _files)
            {
                long keep = Math.Min(state.SyncedLength, state.LostFrom);
                // A size grown by TryExtend and covered by a sync survives (fdatasync makes the
                // size durable), with zeros where unsynced writes were; otherwise the file ends
                // at its synced bytes, as if it had never grown.
                long size = Math.Max(keep, state.SyncedExtent);
                var info = new FileInfo(path);
                if (info.Exists && (info.Length > keep || state.WrittenLength > keep))
                {
                    dropped += Math.Max(0, state.WrittenLength - keep);
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    long zeroTo = Math.Min(info.Length, size);
                    if (zeroTo > keep)
                    {
                        stream.Position = keep;
                        stream.Write(new byte[(int)Math.Min(zeroTo - keep, int.MaxValue)]);
                    }

                    stream.SetLength(size);
                }
            }

            int undone = _pending.Count;
            for (int i = _pending.Count - 1; i >= 0; i--)
            {
                DirectoryOperation op = _pending[i];
                switch (op.Kind)
                {
                    case FaultOperation.Create:
                        File.Delete(op.Path);
                        break;
                    case FaultOperation.Rename:
                        if (File.Exists(op.Target))
                        {
                            File.Move(op.Target!, op.Path, overwrite: true);
                        }

                        if (op.Trash is not null)
                        {
                            File.Move(op.Trash, op.Target!, overwrite: true);
                        }

                        break;
                    case FaultOperation.Delete:
                        File.Move(op.Trash!, op.Path, overwrite: true);
                        break;
                    default:
                        throw new UnreachableException();
                }
            }

            foreach (string folder in _trashFolders)
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }

            _trashFolders.Clear();
            _files.Clear();
            _pending.Clear();
            LastCrash = (dropped, undone);
            _crashed = false;
            CrashAtOperation = -1;
            FaultInjector = null;
        }
    }

    /// <inheritdoc/>
    public WritableFile OpenWritable(string path, bool truncate, int bufferSize)
    {
        lock (_lock)
        {
            if (!Begin(FaultOperation.Create, path))
            {
                return new DroppedFile(path);
            }

            bool existed = File.Exists(path);
            if (existed && truncate)
            {
                MoveToTrash(path); // emptying a durable file: the old content returns at a crash
                existed = false;
            }

            FileState state;
            if (existed)
            {
                if (!_files.TryGetValue(path, out state!))
                {
                    long length = new FileInfo(path).Length;
                    state = new FileState { SyncedLength = length, WrittenLength = length, Extent = length, SyncedExtent = length };
                    _files[path] = state;
                }
            }
            else
            {
                _pending.Add(new DirectoryOperation(FaultOperation.Create, path, null, null));
                state = new FileState();
                _files[path] = state;
            }

            AssertInvariants();
            return new FaultFile(this, _inner.OpenWritable(path, truncate, bufferSize), state);
        }
    }

    /// <inheritdoc/>
    public void Rename(string source, string target)
    {
        lock (_lock)
        {
            if (!Begin(FaultOperation.Rename, source))
            {
                return;
            }

            string? trash = File.Exists(target) ? MoveToTrashQuietly(target) : null;
            _inner.Rename(source, target);
            if (_files.Remove(source, out FileState? state))
            {
                _files[target] = state;
            }

            _pending.Add(new DirectoryOperation(FaultOperation.Rename, source, target, trash));
            AssertInvariants();
        }
    }

    /// <inheritdoc/>
    public void Delete(string path)
    {
        lock (_lock)
        {
            if (!Begin(FaultOperation.Delete, path) || !File.Exists(path))
            {
                return;
            }

            MoveToTrash(path);
            AssertInvariants();
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory(string dir)
    {
        lock (_lock)
        {
            if (!Begin(FaultOperation.SyncDirectory, dir))
            {
                return;
            }

            if (_realSync)
            {
                _inner.SyncDirectory(dir);
            }

            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            _pending.RemoveAll(op =>
            {
                if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(op.Path)), full, StringComparison.Ordinal))
                {
                    return false;
                }

                if (op.Trash is not null)
                {
                    File.Delete(op.Trash); // the delete (or replace) is durable: the old file is gone for good
                    _files.Remove(op.Trash);
                }

                return true;
            });
        }
    }

    /// <summary>
    /// REQUIRES: _lock held. Counts the operation and applies the crash point and the injector.
    /// Returns false when the layer has crashed and the operation must be dropped.
    /// </summary>
    private bool Begin(FaultOperation op, string path)
    {
        Debug.Assert(Monitor.IsEntered(_lock), "REQUIRES: _lock held");
        if (_crashed)
        {
            return false;
        }

        if (op != FaultOperation.Write)
        {
            _operations++;
            if (_operations == CrashAtOperation)
            {
                _crashed = true;
                throw new SimulatedCrashException($"simulated crash at operation {_operations} ({op} {path})");
            }
        }

        if (FaultInjector?.Invoke(op, path) is { } error)
        {
            throw error;
        }

        return true;
    }

    /// <summary>REQUIRES: _lock held. Moves <paramref name="path"/> to the trash and records the (not yet durable) delete.</summary>
    private void MoveToTrash(string path)
    {
        string trash = MoveToTrashQuietly(path);
        _pending.Add(new DirectoryOperation(FaultOperation.Delete, path, null, trash));
    }

    /// <summary>REQUIRES: _lock held. Moves <paramref name="path"/> into its directory's trash folder, keeping its tracking.</summary>
    private string MoveToTrashQuietly(string path)
    {
        string folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, TrashFolder);
        Directory.CreateDirectory(folder);
        _trashFolders.Add(folder);
        string trash = Path.Combine(folder, $"{++_trashCounter:D8}-{Path.GetFileName(path)}");
        File.Move(path, trash);
        if (_files.Remove(path, out FileState? state))
        {
            _files[trash] = state;
        }

        return trash;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_lock), "REQUIRES: _lock held");
        foreach (DirectoryOperation op in _pending)
        {
            Debug.Assert(op.Kind is FaultOperation.Create or FaultOperation.Rename or FaultOperation.Delete, "only creates, renames and deletes wait for a directory fsync");
            Debug.Assert(op.Kind != FaultOperation.Delete || op.Trash is not null, "a pending delete keeps the file in the trash");
            Debug.Assert(op.Kind != FaultOperation.Rename || op.Target is not null, "a pending rename has a target");
        }

        foreach (FileState state in _files.Values)
        {
            Debug.Assert(state.SyncedLength >= 0 && state.LostFrom >= 0 && state.WrittenLength >= 0, "lengths are not negative");
            Debug.Assert(state.SyncedExtent <= Math.Max(state.Extent, state.SyncedLength), "a synced extent was extended first");
        }
    }

    private void OnWrite(FaultFile file, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (Begin(FaultOperation.Write, file.Path))
            {
                file.Inner.Write(data);
                file.State.WrittenLength = Math.Max(file.State.WrittenLength, file.Inner.Length);
            }
            else
            {
                file.DroppedBytes += data.Length; // the writer still sees its file grow
            }
        }
    }

    private void OnFlush(FaultFile file)
    {
        lock (_lock)
        {
            if (!_crashed)
            {
                file.Inner.Flush();
            }
        }
    }

    private void OnSync(FaultFile file)
    {
        lock (_lock)
        {
            try
            {
                if (!Begin(FaultOperation.Sync, file.Path))
                {
                    return;
                }

                file.Inner.Flush();
                if (_realSync)
                {
                    file.Inner.Sync();
                }
            }
            catch (Exception e) when (e is not SimulatedCrashException)
            {
                // fsyncgate: what this fsync covered is gone, whatever later fsyncs report.
                file.State.LostFrom = Math.Min(file.State.LostFrom, file.State.SyncedLength);
                throw;
            }

            file.State.SyncedLength = file.Inner.Length;
            file.State.SyncedExtent = file.State.Extent;
        }
    }

    private void OnSetLength(FaultFile file, long length)
    {
        lock (_lock)
        {
            if (Begin(FaultOperation.SetLength, file.Path))
            {
                file.Inner.SetLength(length);
                file.State.SyncedLength = Math.Min(file.State.SyncedLength, length);
                file.State.WrittenLength = Math.Min(file.State.WrittenLength, length);
                file.State.Extent = length; // durable at once (the type's remarks)
                file.State.SyncedExtent = length;
            }
        }
    }

    private bool OnExtend(FaultFile file, long offset, long length)
    {
        lock (_lock)
        {
            if (_crashed || !file.Inner.TryExtend(offset, length))
            {
                return false;
            }

            file.State.Extent = Math.Max(file.State.Extent, offset + length);
            return true;
        }
    }

    private sealed class FileState
    {
        /// <summary>Bytes of the file known to be on stable storage.</summary>
        public long SyncedLength;

        /// <summary>Offset from which data was lost by a failed fsync; long.MaxValue when none.</summary>
        public long LostFrom = long.MaxValue;

        /// <summary>End of the bytes written so far (what a crash can drop).</summary>
        public long WrittenLength;

        /// <summary>Size the file was grown to by <see cref="WritableFile.TryExtend"/> (or set by SetLength).</summary>
        public long Extent;

        /// <summary><see cref="Extent"/> at the last successful sync: the size a crash leaves at least.</summary>
        public long SyncedExtent;
    }

    /// <summary>A create, rename or delete not yet made durable by a directory fsync.</summary>
    private sealed record DirectoryOperation(FaultOperation Kind, string Path, string? Target, string? Trash);

    private sealed class FaultFile : WritableFile
    {
        private readonly FaultInjectionFileSystem _fs;
        private bool _disposed;

        public FaultFile(FaultInjectionFileSystem fs, WritableFile inner, FileState state)
        {
            _fs = fs;
            Inner = inner;
            State = state;
        }

        public WritableFile Inner { get; }

        public FileState State { get; }

        public override string Path => Inner.Path;

        /// <summary>Bytes written after the crash, which never reached the file.</summary>
        public long DroppedBytes { get; set; }

        public override long Length => Inner.Length + DroppedBytes;

        public override void Write(ReadOnlySpan<byte> data) => _fs.OnWrite(this, data);

        public override void Flush() => _fs.OnFlush(this);

        public override void Sync() => _fs.OnSync(this);

        public override void SetLength(long length) => _fs.OnSetLength(this, length);

        // Not a counted operation (it changes no content); the crash model keeps the size once synced.
        public override bool TryExtend(long offset, long length) => _fs.OnExtend(this, offset, length);

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                try
                {
                    Inner.Dispose();
                }
                catch (IOException)
                {
                    // Closing after an injected failure; the bytes were never acknowledged.
                }
            }
        }
    }

    /// <summary>What a crashed process "writes": nothing reaches the disk.</summary>
    private sealed class DroppedFile : WritableFile
    {
        private long _length;

        public DroppedFile(string path) => Path = path;

        public override string Path { get; }

        public override long Length => _length;

        public override void Write(ReadOnlySpan<byte> data) => _length += data.Length;

        public override void Flush()
        {
        }

        public override void Sync()
        {
        }

        public override void SetLength(long length) => _length = length;

        protected override void Dispose(bool disposing)
        {
        }
    }
}
