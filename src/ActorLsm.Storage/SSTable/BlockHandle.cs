using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Where a block lives in a table file: byte offset and size of the block contents, trailer
/// excluded (LevelDB's BlockHandle). Encoded as varint64 offset ++ varint64 size (see FORMAT.md).
/// </summary>
internal readonly record struct BlockHandle(long Offset, long Size)
{
    /// <summary>Format constant: the largest encoding, two varint64s.</summary>
    public const int MaxEncodedLength = 2 * Coding.MaxVarint64Length;

    /// <summary>Offset of the first byte after the block's trailer.</summary>
    public long End => Offset + Size + TableFormat.BlockTrailerSize;

    /// <summary>Writes the handle into <paramref name="dst"/>; returns bytes written. REQUIRES: dst.Length &gt;= 20.</summary>
    public int EncodeTo(Span<byte> dst)
    {
        int n = Coding.PutVarint64(dst, (ulong)Offset);
        return n + Coding.PutVarint64(dst[n..], (ulong)Size);
    }

    /// <summary>
    /// Decodes a handle at the start of <paramref name="src"/>. Returns bytes consumed, or 0 when
    /// the varints are truncated or the values are out of range (offset beyond 2^62, size beyond
    /// what one byte[] can hold with the trailer).
    /// </summary>
    public static int TryDecode(ReadOnlySpan<byte> src, out BlockHandle handle)
    {
        handle = default;
        int n = Coding.GetVarint64(src, out ulong offset);
        if (n == 0)
        {
            return 0;
        }

        int m = Coding.GetVarint64(src[n..], out ulong size);
        if (m == 0 || offset > long.MaxValue / 2 || size > int.MaxValue - TableFormat.BlockTrailerSize)
        {
            return 0;
        }

        handle = new BlockHandle((long)offset, (long)size);
        return n + m;
    }

    public override string ToString() => $"[{Offset}, +{Size}]";
}
