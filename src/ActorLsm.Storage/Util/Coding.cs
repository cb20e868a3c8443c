using System.Buffers.Binary;

namespace ActorLsm.Storage.Util;

/// <summary>
/// Little-endian fixed-width and LEB128 varint encodings used by every on-disk format
/// (WAL, SSTable, manifest). The encodings are part of those formats; see each FORMAT.md.
/// Varints follow LevelDB's util/coding: 7 bits per byte, low bits first, high bit = "more".
/// </summary>
internal static class Coding
{
    /// <summary>Largest encoded size of a varint32, in bytes.</summary>
    public const int MaxVarint32Length = 5;

    /// <summary>Largest encoded size of a varint64, in bytes.</summary>
    public const int MaxVarint64Length = 10;

    public static void PutFixed32(Span<byte> dst, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(dst, value);

    public static void PutFixed64(Span<byte> dst, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(dst, value);

    public static uint GetFixed32(ReadOnlySpan<byte> src) => BinaryPrimitives.ReadUInt32LittleEndian(src);

    public static ulong GetFixed64(ReadOnlySpan<byte> src) => BinaryPrimitives.ReadUInt64LittleEndian(src);

    /// <summary>Writes <paramref name="value"/> as a varint; returns the number of bytes written (1..5).</summary>
    public static int PutVarint32(Span<byte> dst, uint value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes <paramref name="value"/> as a varint; returns the number of bytes written (1..10).</summary>
    public static int PutVarint64(Span<byte> dst, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i++] = (byte)value;
        return i;
    }

    public static int VarintLength(ulong value)
    {
        int len = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            len++;
        }

        return len;
    }

    /// <summary>
    /// Decodes a varint32 at the start of <paramref name="src"/>. Returns the number of bytes
    /// consumed, or 0 when the input is truncated or the varint is longer than 5 bytes.
    /// </summary>
    public static int GetVarint32(ReadOnlySpan<byte> src, out uint value)
    {
        uint result = 0;
        for (int shift = 0, i = 0; shift <= 28 && i < src.Length; shift += 7, i++)
        {
            uint b = src[i];
            if ((b & 0x80) == 0)
            {
                value = result | (b << shift);
                return i + 1;
            }

            result |= (b & 0x7F) << shift;
        }

        value = 0;
        return 0;
    }

    /// <summary>
    /// Decodes a varint64 at the start of <paramref name="src"/>. Returns the number of bytes
    /// consumed, or 0 when the input is truncated or the varint is longer than 10 bytes.
    /// </summary>
    public static int GetVarint64(ReadOnlySpan<byte> src, out ulong value)
    {
        ulong result = 0;
        for (int shift = 0, i = 0; shift <= 63 && i < src.Length; shift += 7, i++)
        {
            ulong b = src[i];
            if ((b & 0x80) == 0)
            {
                value = result | (b << shift);
                return i + 1;
            }

            result |= (b & 0x7F) << shift;
        }

        value = 0;
        return 0;
    }
}
