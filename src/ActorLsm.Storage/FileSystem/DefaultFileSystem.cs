using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.FileSystem;

/// <summary>The real file system: <see cref="FileStream"/>, <see cref="File.Move(string, string, bool)"/>, <see cref="File.Delete"/> and a directory fsync through libc.</summary>
public sealed class DefaultFileSystem : IFileSystem
{
    /// <summary>The one instance; it holds no state.</summary>
    public static readonly DefaultFileSystem Instance = new();

    private DefaultFileSystem()
    {
    }

    /// <inheritdoc/>
    public WritableFile OpenWritable(string path, bool truncate, int bufferSize) => new StreamFile(path, truncate, bufferSize);

    /// <inheritdoc/>
    public void Rename(string source, string target) => File.Move(source, target, overwrite: true);

    /// <inheritdoc/>
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc/>
    public void SyncDirectory(string dir) => DirectorySync.Sync(dir);

    private sealed class StreamFile : WritableFile
    {
        private readonly FileStream _stream;

        public StreamFile(string path, bool truncate, int bufferSize)
        {
            Path = path;
            _stream = new FileStream(path, new FileStreamOptions
            {
                Mode = truncate ? FileMode.Create : FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                BufferSize = bufferSize,
            });
            if (!truncate)
            {
                _stream.Seek(0, SeekOrigin.End);
            }
        }

        public override string Path { get; }

        public override long Length => _stream.Position;

        public override void Write(ReadOnlySpan<byte> data) => _stream.Write(data);

        public override void Flush() => _stream.Flush(flushToDisk: false);

        // fdatasync on Linux (RocksDB's default, use_fsync = false): data and size, no timestamps.
        public override void Sync() => FileDataSync.Sync(_stream);

        public override bool TryExtend(long offset, long length) => FilePreallocate.TryExtend(_stream, offset, length);

        public override void SetLength(long length)
        {
            _stream.SetLength(length);
            _stream.Seek(0, SeekOrigin.End);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stream.Dispose();
            }
        }
    }
}
