using System.Buffers.Binary;
using System.Text;

namespace ActorLsm.Persistence.Layout;

/// <summary>Appends the big-endian fields of FORMAT.md to a growable buffer. Not thread-safe; one record at a time.</summary>
internal sealed class RecordWriter
{
    private byte[] _buffer;
    private int _length;

    public RecordWriter(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    public void U8(byte v) => Reserve(1)[0] = v;

    public void U32(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), v);

    public void I32(int v) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), v);

    public void U64(ulong v) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), v);

    public void I64(long v) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), v);

    /// <summary>str := length:u32 utf8-bytes.</summary>
    public void Str(string? s)
    {
        s ??= string.Empty;
        int n = Encoding.UTF8.GetByteCount(s);
        U32((uint)n);
        Encoding.UTF8.GetBytes(s, Reserve(n));
    }

    /// <summary>length:u32 bytes.</summary>
    public void Bytes(ReadOnlySpan<byte> data)
    {
        U32((uint)data.Length);
        data.CopyTo(Reserve(data.Length));
    }

    /// <summary>Appends crc:u32 of everything written so far and returns the record.</summary>
    public byte[] FinishWithCrc()
    {
        uint crc = Crc32C.Compute(_buffer.AsSpan(0, _length));
        U32(crc);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private Span<byte> Reserve(int n)
    {
        if (_length + n > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        }

        Span<byte> span = _buffer.AsSpan(_length, n);
        _length += n;
        return span;
    }
}

/// <summary>Reads the fields <see cref="RecordWriter"/> writes; throws <see cref="FormatException"/> on any short or bad field.</summary>
internal ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _at;

    /// <summary>A reader of <paramref name="record"/> after checking its trailing CRC-32C (FormatException when it differs).</summary>
    public RecordReader(ReadOnlySpan<byte> record)
    {
        if (record.Length < 5)
        {
            throw new FormatException($"record of {record.Length} bytes is too short");
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(record[^4..]);
        uint actual = Crc32C.Compute(record[..^4]);
        if (stored != actual)
        {
            throw new FormatException($"record checksum mismatch (stored 0x{stored:x8}, computed 0x{actual:x8})");
        }

        _data = record[..^4];
        _at = 0;
    }

    public readonly bool AtEnd => _at == _data.Length;

    public byte U8() => Take(1)[0];

    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public int I32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    public long I64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public string Str() => Encoding.UTF8.GetString(Take(Length()));

    public byte[] Bytes() => Take(Length()).ToArray();

    private int Length()
    {
        uint n = U32();
        return n > (uint)(_data.Length - _at) ? throw new FormatException($"field length {n} runs past the record's end") : (int)n;
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _at)
        {
            throw new FormatException("record ends inside a field");
        }

        ReadOnlySpan<byte> span = _data.Slice(_at, n);
        _at += n;
        return span;
    }
}
