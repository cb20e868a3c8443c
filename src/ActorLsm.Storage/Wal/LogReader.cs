using System.Buffers;
using System.Diagnostics;
using ActorLsm.Storage.Util;
using Microsoft.Win32.SafeHandles;

namespace ActorLsm.Storage.Wal;

/// <summary>
/// Reads the records of a log file (Wal/FORMAT.md) front to back, checking each record's CRC,
/// and applies the crash-recovery tail policy (the idea of LevelDB's log::Reader, made strict):
/// <list type="bullet">
/// <item>A <b>zero remainder</b> — nothing but zero bytes from a record boundary to end of file — is
/// the clean end of a segment grown ahead of its appends (LogWriter extendChunk): reading stops,
/// <see cref="TornTail"/> stays false. Not under <see cref="StrictTail"/> (the manifest never grows).</item>
/// <item>A <b>torn tail</b> — a partial header, a length running past end of file, a framing or
/// CRC failure of a record that reaches end of file or is followed only by zero bytes (and under
/// <see cref="StrictTail"/> a zero remainder) — is what a crash in the middle of an append leaves. Reading stops,
/// <see cref="TornTail"/> becomes true and no exception is thrown.</item>
/// <item>A framing or CRC failure of a record followed by more (non-zero) data cannot come from
/// a crash in an append-only file: it is <b>corruption</b>, reported as
/// <see cref="CorruptionException"/> naming the file and the bad record's offset.</item>
/// <item>A length running past end of file whose record is nevertheless whole (a prefix of the
/// bytes after the header matches the checksum) is a damaged length field: corruption.</item>
/// </list>
/// <see cref="StrictTail"/> selects the manifest's stricter rule.
/// The file length is taken when the reader opens; bytes appended later are not seen. Reads go
/// through a private buffer (64 KiB, grown to fit the largest record met).
/// </summary>
internal sealed class LogReader : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _fileLength;
    private byte[] _buffer;
    private long _bufferFileOffset;   // file offset of _buffer[0]
    private int _start;               // first unread byte in _buffer
    private int _end;                 // one past the last valid byte in _buffer
    private bool _done;

    /// <summary>Opens the log file at <paramref name="path"/> for reading from its start.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public LogReader(string path)
        : this(path, 0)
    {
    }

    /// <summary>
    /// Opens the log file at <paramref name="path"/> for reading from <paramref name="startOffset"/>.
    /// REQUIRES: <paramref name="startOffset"/> is the start of a record (an earlier reader's
    /// <see cref="Offset"/> on the same file) or end of file.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startOffset"/> is negative or past end of file.</exception>
    public LogReader(string path, long startOffset)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _fileLength = RandomAccess.GetLength(_handle);
        if (startOffset < 0 || startOffset > _fileLength)
        {
            _handle.Dispose();
            throw new ArgumentOutOfRangeException(nameof(startOffset), startOffset, $"start offset outside {path} of {_fileLength} bytes");
        }

        _bufferFileOffset = startOffset;
        _buffer = new byte[(int)Math.Min(InitialBufferSize, Math.Max(_fileLength - startOffset, LogFormat.HeaderSize))];
        AssertInvariants();
    }

    /// <summary>The log file's path.</summary>
    public string Path { get; }

    /// <summary>
    /// File offset just after the last good record returned: the valid length of the log. After a
    /// torn tail, the offset where the torn record starts (the length to truncate the file to).
    /// </summary>
    public long Offset => _bufferFileOffset + _start;

    /// <summary>True once reading stopped at a torn tail (see the type's remarks); false at a clean end or before the end.</summary>
    public bool TornTail { get; private set; }

    /// <summary>
    /// The manifest's stricter tail rule (Manifest/FORMAT.md), set before the first read. A log
    /// that fsyncs every record before appending the next can only be torn in its last record,
    /// and never in its first (a manifest is named by CURRENT only once its first record is
    /// durable). So with this set: a bad first record is corruption; a last record whose length
    /// fits the file but whose checksum fails is corruption (a torn append leaves a record that
    /// runs past end of file, not a complete one with wrong bytes); only a record running past
    /// end of file, a partial header or an all-zero remainder is a torn tail.
    /// </summary>
    public bool StrictTail { get; init; }

    /// <summary>
    /// Reads the next record. Returns false at a clean end of file or at a torn tail (then
    /// <see cref="TornTail"/> is true), and on every call after that.
    /// </summary>
    /// <param name="payload">The record's payload; valid only until the next call or <see cref="Dispose"/>.</param>
    /// <param name="type">The record's type: <see cref="LogFormat.Full"/> or another usable type the writer chose.</param>
    /// <exception cref="CorruptionException">A record followed by more data fails its checks, or a record with a valid CRC has a reserved type.</exception>
    public bool TryReadRecord(out ReadOnlySpan<byte> payload, out byte type)
    {
        payload = default;
        type = LogFormat.Zero;
        if (_done)
        {
            return false;
        }

        long recordOffset = Offset;
        long remaining = _fileLength - recordOffset;
        if (remaining == 0)
        {
            _done = true;
            return false;
        }

        if (remaining < LogFormat.HeaderSize)
        {
            return IsGrownEnd(recordOffset) ? StopAtCleanEnd() : StopAtTornTail(recordOffset, "partial record header");
        }

        Fill(LogFormat.HeaderSize);
        ReadOnlySpan<byte> header = _buffer.AsSpan(_start, LogFormat.HeaderSize);
        if (!header.ContainsAnyExcept((byte)0) && IsGrownEnd(recordOffset))
        {
            return StopAtCleanEnd(); // a zero header is never a record (type 0 is reserved)
        }

        uint storedCrc = Coding.GetFixed32(header[LogFormat.CrcOffset..]);
        uint length = Coding.GetFixed32(header[LogFormat.LengthOffset..]);
        byte recordType = header[LogFormat.TypeOffset];
        long recordEnd = recordOffset + LogFormat.HeaderSize + length;
        if (recordEnd > _fileLength)
        {
            // The length runs past end of file: the payload's append never completed, unless
            // the bytes that are there hold a whole record whose length field was damaged.
            if (PrefixMatchesChecksum(recordOffset, storedCrc, recordType, _fileLength) is { } trueLength)
            {
                throw new CorruptionException(Path, recordOffset, $"record length {length} runs past end of file, but its first {trueLength} payload bytes match its checksum: the length field is damaged");
            }

            return StopAtTornTail(recordOffset, $"record length {length} runs past end of file");
        }

        if (length > LogFormat.MaxRecordSize)
        {
            return StopOrThrow(recordOffset, recordEnd, $"record length {length} exceeds the {LogFormat.MaxRecordSize}-byte limit");
        }

        int total = LogFormat.HeaderSize + (int)length;
        Fill(total);
        ReadOnlySpan<byte> covered = _buffer.AsSpan(_start + LogFormat.TypeOffset, 1 + (int)length);
        uint actualCrc = Crc32C.Compute(covered);
        if (Crc32C.Unmask(storedCrc) != actualCrc)
        {
            // Inside a grown segment a damaged length can point into the zero remainder, which
            // would look like a torn append: the same prefix check as for a length past end of file.
            if (!StrictTail && recordEnd < _fileLength && IsZeroFrom(recordEnd)
                && PrefixMatchesChecksum(recordOffset, storedCrc, recordType, recordEnd) is { } shorter)
            {
                throw new CorruptionException(Path, recordOffset, $"record length {length} fails its checksum, but its first {shorter} payload bytes match it and only zeros follow: the length field is damaged");
            }

            return StopOrThrow(recordOffset, recordEnd, "record checksum mismatch");
        }

        if (!LogFormat.IsUsableType(recordType))
        {
            throw new CorruptionException(Path, recordOffset, $"record has reserved type {recordType}");
        }

        payload = covered[1..];
        type = recordType;
        _start += total;
        AssertInvariants();
        return true;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Makes at least <paramref name="count"/> unread bytes available at <c>_buffer[_start..]</c>.
    /// REQUIRES: Offset + count &lt;= file length (checked by the caller).
    /// </summary>
    private void Fill(int count)
    {
        if (_end - _start >= count)
        {
            return;
        }

        if (_buffer.Length - _start < count)
        {
            // Move the unread bytes to the front, growing the buffer when the record needs it.
            byte[] target = _buffer;
            if (count > _buffer.Length)
            {
                long grown = Math.Max(count, Math.Min((long)_buffer.Length * 2, LogFormat.HeaderSize + (long)LogFormat.MaxRecordSize));
                target = new byte[(int)Math.Min(grown, Array.MaxLength)];
            }

            int unread = _end - _start;
            Buffer.BlockCopy(_buffer, _start, target, 0, unread);
            _bufferFileOffset += _start;
            _buffer = target;
            _start = 0;
            _end = unread;
        }

        while (_end - _start < count)
        {
            long fileOffset = _bufferFileOffset + _end;
            int want = (int)Math.Min(_buffer.Length - _end, _fileLength - fileOffset);
            int read = RandomAccess.Read(_handle, _buffer.AsSpan(_end, want), fileOffset);
            if (read == 0)
            {
                throw new IOException($"{Path} shrank while being read (expected {_fileLength} bytes)");
            }

            _end += read;
        }

        AssertInvariants();
    }

    /// <summary>
    /// A record at <paramref name="recordOffset"/> failed a check. Reports a torn tail when
    /// nothing but zero bytes follows its end (<paramref name="recordEnd"/>); otherwise throws.
    /// </summary>
    private bool StopOrThrow(long recordOffset, long recordEnd, string detail)
    {
        if (StrictTail)
        {
            if (IsZeroFrom(recordOffset))
            {
                return StopAtTornTail(recordOffset, detail);
            }

            throw new CorruptionException(Path, recordOffset, detail + " in a complete record (a torn append cannot leave one)");
        }

        if (recordEnd >= _fileLength || IsZeroFrom(recordEnd))
        {
            return StopAtTornTail(recordOffset, detail);
        }

        throw new CorruptionException(Path, recordOffset, detail + " with more data after the record");
    }

    private bool StopAtTornTail(long recordOffset, string detail)
    {
        if (StrictTail && recordOffset == 0)
        {
            throw new CorruptionException(Path, recordOffset, detail + " in the first record, which is durable before the file is used");
        }

        TornTail = true;
        _done = true;
        return false;
    }

    /// <summary>
    /// For a record at <paramref name="recordOffset"/> whose stored length cannot be right (it runs
    /// past end of file, or its checksum fails with only zeros after it): the payload length (shorter
    /// than the stored one) whose bytes match <paramref name="storedCrc"/>, or null when no prefix of
    /// the bytes up to <paramref name="limit"/> does. A torn append leaves a prefix of its payload,
    /// which matches only by chance (2^-32 per length); a match means the record is complete and its
    /// length field was damaged. Error path only; reads the bytes once.
    /// </summary>
    private int? PrefixMatchesChecksum(long recordOffset, uint storedCrc, byte recordType, long limit)
    {
        uint want = Crc32C.Unmask(storedCrc);
        uint crc = Crc32C.Compute(new ReadOnlySpan<byte>(in recordType));
        if (crc == want)
        {
            return 0;
        }

        long fileOffset = recordOffset + LogFormat.HeaderSize;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int length = 0;
            while (fileOffset < limit)
            {
                int read = RandomAccess.Read(_handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, limit - fileOffset)), fileOffset);
                if (read == 0)
                {
                    return null;
                }

                for (int i = 0; i < read; i++)
                {
                    crc = Crc32C.Extend(crc, chunk.AsSpan(i, 1));
                    length++;
                    if (crc == want)
                    {
                        return length;
                    }
                }

                fileOffset += read;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// True when the bytes at record boundary <paramref name="recordOffset"/> are the zero remainder of
    /// a grown segment: only zero bytes from there to end of file, and not the manifest's strict rule.
    /// Reads the remainder once (at most one grow step of a WAL segment); called only at a zero
    /// header or a partial one, so a reader at a grown segment's end scans it once.
    /// </summary>
    private bool IsGrownEnd(long recordOffset) => !StrictTail && IsZeroFrom(recordOffset);

    private bool StopAtCleanEnd()
    {
        _done = true;
        return false;
    }

    /// <summary>True when every byte from <paramref name="fileOffset"/> to end of file is zero. Error path only.</summary>
    private bool IsZeroFrom(long fileOffset)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (fileOffset < _fileLength)
            {
                int read = RandomAccess.Read(_handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, _fileLength - fileOffset)), fileOffset);
                if (read == 0)
                {
                    return true;
                }

                if (chunk.AsSpan(0, read).ContainsAnyExcept((byte)0))
                {
                    return false;
                }

                fileOffset += read;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_start >= 0 && _start <= _end && _end <= _buffer.Length, "0 <= start <= end <= buffer length");
        Debug.Assert(_bufferFileOffset + _end <= _fileLength, "buffer holds no bytes past end of file");
    }
}
