using System.Diagnostics;
using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Wal;

/// <summary>
/// Appends framed records (Wal/FORMAT.md) to a log file: the WAL and the manifest both use it.
/// Records are framed into a private buffer and reach the OS on <see cref="Flush"/>, on
/// <see cref="Sync"/>, when the buffer fills, or at once when a record is larger than the buffer.
/// The idea is LevelDB's log::Writer, without the 32 KiB block fragmentation.
/// <para>
/// Not thread-safe: the engine serializes writers (group commit happens above this type).
/// After an I/O error escapes, the file may end in a partial record, so the writer refuses
/// further appends (<see cref="InvalidOperationException"/>); the owner must abandon it. A
/// reader then sees that partial record as a torn tail.
/// </para>
/// </summary>
internal sealed class LogWriter : IDisposable
{
    /// <summary>Default size of the private buffer: 64 KiB.</summary>
    public const int DefaultBufferSize = 64 * 1024;

    private readonly WritableFile _stream;
    private readonly byte[] _buffer;
    private long _extendChunk;
    private int _buffered;
    private long _length;
    private long _extendedTo;
    private bool _failed;
    private bool _disposed;

    /// <summary>
    /// Opens or creates the log file at <paramref name="path"/>. With <paramref name="truncate"/>
    /// the file starts empty; otherwise records are appended after its current end (the caller
    /// first removes any torn tail with <see cref="LogRecovery.TruncateTornTail"/>).
    /// </summary>
    /// <param name="path">The log file.</param>
    /// <param name="truncate">True to create or empty the file, false to append to it.</param>
    /// <param name="bufferSize">Bytes of the private buffer; at least <see cref="LogFormat.HeaderSize"/>.</param>
    /// <param name="fileSystem">Where the file is written; null for <see cref="DefaultFileSystem"/>.</param>
    /// <param name="extendChunk">
    /// Bytes by which the file grows ahead of the writes, in steps of this size
    /// (<see cref="WritableFile.TryExtend"/>, fallocate with mode 0), so that an fdatasync after an
    /// append seldom has a new size to write; 0 grows nothing. The file then ends in zero bytes
    /// after its last record until it is deleted, which readers take as its clean end (FORMAT.md,
    /// "Durability"). Where the file cannot grow that way, writes append as with 0.
    /// </param>
    public LogWriter(string path, bool truncate = true, int bufferSize = DefaultBufferSize, IFileSystem? fileSystem = null, long extendChunk = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, LogFormat.HeaderSize);
        ArgumentOutOfRangeException.ThrowIfNegative(extendChunk);
        Path = path;
        // bufferSize 0 disables the file's own buffer: this type buffers, so every byte is copied once.
        _stream = (fileSystem ?? DefaultFileSystem.Instance).OpenWritable(path, truncate, 0);
        _length = truncate ? 0 : _stream.Length;
        _extendedTo = _length;
        _extendChunk = extendChunk;
        _buffer = GC.AllocateUninitializedArray<byte>(bufferSize);
        AssertInvariants();
    }

    /// <summary>The log file's path.</summary>
    public string Path { get; }

    /// <summary>Bytes of the log including records still in the private buffer: the file length once flushed.</summary>
    public long Length => _length;

    /// <summary>
    /// Appends one record holding <paramref name="payload"/>. The record reaches the OS at the
    /// next <see cref="Flush"/> or <see cref="Sync"/> (or earlier if the buffer fills).
    /// Allocates nothing: the header is built in the buffer (or on the stack) and the payload is
    /// copied into the buffer, or written straight through when it is larger than the buffer.
    /// </summary>
    /// <param name="payload">Record payload, at most <see cref="LogFormat.MaxRecordSize"/> bytes; opaque to the log.</param>
    /// <param name="type">Record type; <see cref="LogFormat.Full"/> unless the caller assigned another usable type.</param>
    /// <returns>The log length after this record, in bytes.</returns>
    /// <exception cref="ArgumentException">The payload is larger than <see cref="LogFormat.MaxRecordSize"/> or the type is reserved.</exception>
    /// <exception cref="InvalidOperationException">An earlier write failed.</exception>
    public long AddRecord(ReadOnlySpan<byte> payload, byte type = LogFormat.Full)
    {
        if (payload.Length > LogFormat.MaxRecordSize)
        {
            throw new ArgumentException($"log record payload of {payload.Length} bytes exceeds the {LogFormat.MaxRecordSize}-byte limit", nameof(payload));
        }

        if (!LogFormat.IsUsableType(type))
        {
            throw new ArgumentException($"log record type {type} is reserved", nameof(type));
        }

        ThrowIfUnusable();
        int total = LogFormat.HeaderSize + payload.Length;
        if (total > _buffer.Length - _buffered)
        {
            WriteBuffer();
        }

        uint crc = Crc32C.Extend(Crc32C.Compute(new ReadOnlySpan<byte>(in type)), payload);
        Span<byte> header = total <= _buffer.Length ? _buffer.AsSpan(_buffered, LogFormat.HeaderSize) : stackalloc byte[LogFormat.HeaderSize];
        Coding.PutFixed32(header[LogFormat.CrcOffset..], Crc32C.Mask(crc));
        Coding.PutFixed32(header[LogFormat.LengthOffset..], (uint)payload.Length);
        header[LogFormat.TypeOffset] = type;

        if (total <= _buffer.Length)
        {
            payload.CopyTo(_buffer.AsSpan(_buffered + LogFormat.HeaderSize));
            _buffered += total;
        }
        else
        {
            // Buffer is empty here (WriteBuffer above); a large payload goes straight to the OS.
            WriteThrough(header, payload);
        }

        _length += total;
        AssertInvariants();
        return _length;
    }

    /// <summary>Hands every buffered record to the OS (no fsync): it survives a process crash, not a machine crash.</summary>
    public void Flush()
    {
        ThrowIfUnusable();
        WriteBuffer();
    }

    /// <summary>Flushes, then forces the file's data and size to stable storage (fdatasync on Linux, <see cref="FileDataSync"/>): the records survive a machine crash.</summary>
    public void Sync()
    {
        Flush();
        try
        {
            _stream.Sync();
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>Flushes buffered records to the OS (no fsync) and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_failed)
            {
                WriteBuffer();
            }
        }
        finally
        {
            _disposed = true;
            _stream.Dispose();
        }
    }

    private void WriteBuffer()
    {
        if (_buffered == 0)
        {
            return;
        }

        try
        {
            ExtendFor(_buffered);
            _stream.Write(_buffer.AsSpan(0, _buffered));
        }
        catch
        {
            _failed = true;
            throw;
        }

        _buffered = 0;
    }

    private void WriteThrough(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        try
        {
            ExtendFor(header.Length + payload.Length);
            _stream.Write(header);
            _stream.Write(payload);
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>
    /// REQUIRES: about to write <paramref name="count"/> bytes at the log's end. Grows the file by
    /// whole chunks when those bytes pass its grown end, so that most appends (and the fdatasync
    /// after them) change neither its size nor its allocation. The first refusal (a file system
    /// without fallocate) turns growing off for this file.
    /// </summary>
    private void ExtendFor(int count)
    {
        long end = _stream.Length + count;
        if (_extendChunk == 0 || end <= _extendedTo)
        {
            return;
        }

        long from = Math.Max(_extendedTo, _stream.Length);
        long to = from + ((end - from + _extendChunk - 1) / _extendChunk * _extendChunk); // whole chunks covering end
        if (_stream.TryExtend(from, to - from))
        {
            _extendedTo = to;
        }
        else
        {
            _extendChunk = 0;
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new InvalidOperationException($"an earlier write to {Path} failed; the log writer must be abandoned");
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_buffered >= 0 && _buffered <= _buffer.Length, "buffered bytes within the buffer");
        Debug.Assert(_length >= _buffered, "logical length covers the buffered bytes");
        Debug.Assert(_failed || _length == _stream.Length + _buffered, "logical length = file position + buffered bytes");
        Debug.Assert(_extendChunk == 0 || _failed || _extendedTo >= _stream.Length, "while growing is on, every byte written lies in the grown file");
    }
}
