using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage;

/// <summary>
/// Puts and deletes applied atomically by <see cref="LsmStore.Write(WriteBatch)"/>:
/// after any crash either all of them are visible or none (the batch is one WAL record).
/// Shape after LevelDB's WriteBatch. A batch is not thread-safe; it may be reused after
/// <see cref="Clear"/>.
/// </summary>
/// <remarks>
/// Byte layout (also the WAL record payload; Wal/FORMAT.md, "Write batch payload"):
/// <c>sequence: fixed64 | count: fixed32 | record*</c>, where
/// <c>record = kind: u8 (ValueKind) | key_len: varint32 | key | (kind != Delete ? value_len: varint32 | value : nothing)</c>,
/// where a <see cref="ValueKind.PutWithExpiry"/> value is <c>expires_at_unix_ms: fixed64 ++ user value</c>.
/// The sequence is that of the first record; record i gets sequence + i.
/// </remarks>
public sealed partial class WriteBatch
{
    /// <summary>Format constant: bytes of the header (sequence fixed64 + count fixed32).</summary>
    internal const int HeaderSize = 12;

    private byte[] _rep;
    private int _length;
    private int _count;

    public WriteBatch()
        : this(256)
    {
    }

    /// <param name="initialCapacity">Initial buffer size in bytes.</param>
    public WriteBatch(int initialCapacity)
    {
        _rep = new byte[Math.Max(HeaderSize, initialCapacity)];
        _length = HeaderSize;
    }

    /// <summary>Number of puts and deletes in the batch.</summary>
    public int Count => _count;

    /// <summary>Encoded size in bytes (the WAL payload size).</summary>
    public int ApproximateSize => _length;

    /// <summary>Sum of key and value bytes the user added (for write-amplification stats).</summary>
    internal long UserBytes { get; private set; }

    /// <summary>Upper bound of the memtable arena bytes needed to insert every record.</summary>
    internal long MemTableCharge { get; private set; }

    /// <summary>Adds a put of <paramref name="key"/> to <paramref name="value"/> that never expires.</summary>
    public WriteBatch Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => AddPut(key, value, null);

    /// <summary>
    /// Adds a put of <paramref name="key"/> to <paramref name="value"/> that expires at
    /// <paramref name="expiresAt"/> (absolute; stored as Unix milliseconds, truncated), or never
    /// when null (then the same as <see cref="Put(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>). From
    /// the expiry on, reads treat the key as deleted and compaction drops the entry (Wal/FORMAT.md,
    /// <see cref="ValueKind.PutWithExpiry"/>). An expiry in the past is accepted: the put is then
    /// invisible at once, as Redis's SET with a past EXAT deletes the key.
    /// </summary>
    public WriteBatch Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, DateTimeOffset? expiresAt) =>
        AddPut(key, value, expiresAt is { } at ? ExpiringValueCodec.ToUnixMs(at) : null);

    /// <summary>As <see cref="Put(ReadOnlySpan{byte}, ReadOnlySpan{byte}, DateTimeOffset?)"/> with the expiry in Unix milliseconds.</summary>
    public WriteBatch PutWithExpiry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAtUnixMs) =>
        AddPut(key, value, expiresAtUnixMs);

    private WriteBatch AddPut(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long? expiresAtUnixMs)
    {
        int prefix = expiresAtUnixMs is null ? 0 : ExpiringValueCodec.PrefixSize;
        int need = 1 + Coding.MaxVarint32Length + key.Length + Coding.MaxVarint32Length + prefix + value.Length;
        EnsureCapacity(need);
        Span<byte> dst = _rep.AsSpan(_length);
        dst[0] = (byte)(expiresAtUnixMs is null ? ValueKind.Put : ValueKind.PutWithExpiry);
        int pos = 1 + Coding.PutVarint32(dst[1..], (uint)key.Length);
        key.CopyTo(dst[pos..]);
        pos += key.Length;
        pos += Coding.PutVarint32(dst[pos..], (uint)(prefix + value.Length));
        if (expiresAtUnixMs is { } expiry)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(dst[pos..], expiry);
            pos += prefix;
        }

        value.CopyTo(dst[pos..]);
        pos += value.Length;
        _length += pos;
        SetCount(_count + 1);
        UserBytes += key.Length + value.Length;
        MemTableCharge += Memtables.MemTable.EstimateEntrySize(key.Length, prefix + value.Length);
        return this;
    }

    /// <summary>Adds an entry already in stored form (<see cref="FromBytes"/>). REQUIRES: kind is known; a PutWithExpiry value has its prefix.</summary>
    private void AddStored(ValueKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> stored)
    {
        switch (kind)
        {
            case ValueKind.Put:
                AddPut(key, stored, null);
                break;
            case ValueKind.PutWithExpiry:
                AddPut(key, ExpiringValueCodec.UserValue(stored), ExpiringValueCodec.ExpiresAt(stored));
                break;
            default:
                Delete(key);
                break;
        }
    }

    /// <summary>Adds a delete of <paramref name="key"/> (a tombstone).</summary>
    public WriteBatch Delete(ReadOnlySpan<byte> key)
    {
        EnsureCapacity(1 + Coding.MaxVarint32Length + key.Length);
        Span<byte> dst = _rep.AsSpan(_length);
        dst[0] = (byte)ValueKind.Delete;
        int pos = 1 + Coding.PutVarint32(dst[1..], (uint)key.Length);
        key.CopyTo(dst[pos..]);
        _length += pos + key.Length;
        SetCount(_count + 1);
        UserBytes += key.Length;
        MemTableCharge += Memtables.MemTable.EstimateEntrySize(key.Length, 0);
        return this;
    }

    /// <summary>Removes every record; the buffer is kept.</summary>
    public void Clear()
    {
        _length = HeaderSize;
        SetCount(0);
        UserBytes = 0;
        MemTableCharge = 0;
    }

    /// <summary>
    /// Returns a copy of the encoded batch, header included: the byte layout in the type's
    /// remarks, which is also the payload of the batch's WAL record (Wal/FORMAT.md). The header's
    /// sequence field holds whatever was last stamped (0 for a batch never written) and is
    /// ignored by <see cref="FromBytes"/> consumers: a replica ships these bytes and assigns the
    /// sequence itself (<see cref="LsmStore.WriteAt(WriteBatch, ulong)"/>).
    /// </summary>
    /// <returns>A new array of <see cref="ApproximateSize"/> bytes.</returns>
    public byte[] ToBytes() => Encoded.ToArray();

    /// <summary>
    /// Parses an encoded batch (from <see cref="ToBytes"/> or a <see cref="LogRecord.Payload"/>)
    /// and validates all of it: header length, every record's kind and lengths, no trailing
    /// bytes, and the header's count equal to the records found. The result holds the same
    /// records in the same order and the same <see cref="Count"/>; the header's sequence field is
    /// carried over but has no meaning until the batch is written.
    /// </summary>
    /// <param name="encoded">The encoded batch, header included.</param>
    /// <returns>A new batch that owns a copy of the bytes.</returns>
    /// <exception cref="CorruptionException">The bytes do not parse; the message names the offset and what failed.</exception>
    /// <exception cref="ArgumentException">The header declares more records than a batch can hold.</exception>
    public static WriteBatch FromBytes(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded, "encoded write batch", 0);
        if (reader.Count > int.MaxValue)
        {
            throw new ArgumentException($"encoded write batch declares {reader.Count} records, more than a batch can hold", nameof(encoded));
        }

        var batch = new WriteBatch(encoded.Length);
        while (reader.TryNext(out ValueKind kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
        {
            batch.AddStored(kind, key, value);
        }

        batch.SetSequence(reader.Sequence);
        return batch;
    }

    /// <summary>The encoded batch. REQUIRES: <see cref="SetSequence"/> was called for a WAL write.</summary>
    internal ReadOnlySpan<byte> Encoded => _rep.AsSpan(0, _length);

    /// <summary>Stamps the header with the first record's sequence number.</summary>
    internal void SetSequence(ulong sequence) => Coding.PutFixed64(_rep, sequence);

    /// <summary>Keeps the header's count equal to the records in the buffer.</summary>
    private void SetCount(int count)
    {
        _count = count;
        Coding.PutFixed32(_rep.AsSpan(8), (uint)count);
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a key or value exceeds the store's limits.</summary>
    internal void Validate(int maxKeySize, int maxValueSize)
    {
        var reader = new Reader(Encoded, "write batch", 0);
        while (reader.TryNext(out ValueKind kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
        {
            if (kind == ValueKind.PutWithExpiry)
            {
                value = ExpiringValueCodec.UserValue(value);
            }

            if (key.Length > maxKeySize)
            {
                throw new ArgumentException($"key of {key.Length} bytes exceeds the limit of {maxKeySize} bytes", nameof(key));
            }

            if (value.Length > maxValueSize)
            {
                throw new ArgumentException($"value of {value.Length} bytes exceeds the limit of {maxValueSize} bytes", nameof(value));
            }
        }
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra > _rep.Length)
        {
            Array.Resize(ref _rep, Math.Max(_rep.Length * 2, _length + extra));
        }
    }

    /// <summary>
    /// Decodes an encoded batch (from a WAL record or <see cref="Encoded"/>). Throws
    /// <see cref="CorruptionException"/> naming <c>path</c> and <c>offset</c> when the bytes do not parse.
    /// </summary>
    internal ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _path;
        private readonly long _offset;
        private int _pos;
        private uint _seen;

        public Reader(ReadOnlySpan<byte> data, string path, long offset)
        {
            _data = data;
            _path = path;
            _offset = offset;
            if (data.Length < HeaderSize)
            {
                throw new CorruptionException(path, offset, $"write batch of {data.Length} bytes is shorter than its header");
            }

            Sequence = Coding.GetFixed64(data);
            Count = Coding.GetFixed32(data[8..]);
            _pos = HeaderSize;
        }

        public ulong Sequence { get; }

        public uint Count { get; }

        public bool TryNext(out ValueKind kind, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
        {
            value = default;
            key = default;
            kind = default;
            if (_pos >= _data.Length)
            {
                if (_seen != Count)
                {
                    throw Bad($"write batch holds {_seen} records, header says {Count}");
                }

                return false;
            }

            kind = (ValueKind)_data[_pos++];
            if (kind is not (ValueKind.Put or ValueKind.Delete or ValueKind.PutWithExpiry))
            {
                throw Bad($"unknown record kind {(byte)kind}");
            }

            key = ReadSlice();
            if (kind != ValueKind.Delete)
            {
                value = ReadSlice();
                if (kind == ValueKind.PutWithExpiry && value.Length < ExpiringValueCodec.PrefixSize)
                {
                    throw Bad($"value with expiry of {value.Length} bytes is shorter than its {ExpiringValueCodec.PrefixSize}-byte expiry");
                }
            }

            _seen++;
            return true;
        }

        private ReadOnlySpan<byte> ReadSlice()
        {
            int n = Coding.GetVarint32(_data[_pos..], out uint len);
            if (n == 0 || (ulong)_pos + (ulong)n + len > (ulong)_data.Length)
            {
                throw Bad("truncated record");
            }

            _pos += n;
            ReadOnlySpan<byte> slice = _data.Slice(_pos, (int)len);
            _pos += (int)len;
            return slice;
        }

        private readonly CorruptionException Bad(string detail) => new(_path, _offset + _pos, detail);
    }
}
