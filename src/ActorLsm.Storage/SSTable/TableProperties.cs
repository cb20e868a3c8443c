using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Statistics of one table, written in its properties block (the idea of RocksDB's table
/// properties). Encoding (FORMAT.md, "Properties block"): a sequence of fields
/// <c>varint32 tag ++ varint32 length ++ payload</c>; numbers are a varint64 payload, keys are raw
/// bytes. Unknown tags are skipped, so later versions can add fields. Sizes are in bytes.
/// </summary>
internal sealed class TableProperties
{
    // Format constants: property tags. Never reuse a retired tag.
    private const uint TagEntryCount = 1;
    private const uint TagTombstoneCount = 2;
    private const uint TagSmallestKey = 3;
    private const uint TagLargestKey = 4;
    private const uint TagSmallestSequence = 5;
    private const uint TagLargestSequence = 6;
    private const uint TagRawKeyBytes = 7;
    private const uint TagRawValueBytes = 8;
    private const uint TagDataBlockCount = 9;
    private const uint TagFilterSize = 10;
    private const uint TagIndexSize = 11;
    private const uint TagFormatVersion = 12;
    private const uint TagCompression = 13;

    /// <summary>Entries (puts and tombstones, every version) in the table.</summary>
    public long EntryCount { get; init; }

    /// <summary>Entries of kind <see cref="ValueKind.Delete"/>.</summary>
    public long TombstoneCount { get; init; }

    /// <summary>Smallest internal key; empty for an empty table.</summary>
    public byte[] SmallestKey { get; init; } = [];

    /// <summary>Largest internal key; empty for an empty table.</summary>
    public byte[] LargestKey { get; init; } = [];

    public ulong SmallestSequence { get; init; }

    public ulong LargestSequence { get; init; }

    /// <summary>Sum of the internal key lengths (trailers included) of all entries.</summary>
    public long RawKeyBytes { get; init; }

    /// <summary>Sum of the value lengths of all entries.</summary>
    public long RawValueBytes { get; init; }

    public long DataBlockCount { get; init; }

    /// <summary>Filter block size (without trailer); 0 when the table has no bloom filter.</summary>
    public long FilterSize { get; init; }

    /// <summary>Index block size (without trailer).</summary>
    public long IndexSize { get; init; }

    public uint FormatVersion { get; init; } = TableFormat.FormatVersion;

    /// <summary>The codec the builder was asked to use (blocks that did not shrink enough are stored raw).</summary>
    public BlockCompression Compression { get; init; }

    /// <summary>Serializes the properties block contents.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[(13 * 20) + SmallestKey.Length + LargestKey.Length];
        int n = 0;
        n += PutNumber(buffer.AsSpan(n), TagEntryCount, (ulong)EntryCount);
        n += PutNumber(buffer.AsSpan(n), TagTombstoneCount, (ulong)TombstoneCount);
        n += PutBytes(buffer.AsSpan(n), TagSmallestKey, SmallestKey);
        n += PutBytes(buffer.AsSpan(n), TagLargestKey, LargestKey);
        n += PutNumber(buffer.AsSpan(n), TagSmallestSequence, SmallestSequence);
        n += PutNumber(buffer.AsSpan(n), TagLargestSequence, LargestSequence);
        n += PutNumber(buffer.AsSpan(n), TagRawKeyBytes, (ulong)RawKeyBytes);
        n += PutNumber(buffer.AsSpan(n), TagRawValueBytes, (ulong)RawValueBytes);
        n += PutNumber(buffer.AsSpan(n), TagDataBlockCount, (ulong)DataBlockCount);
        n += PutNumber(buffer.AsSpan(n), TagFilterSize, (ulong)FilterSize);
        n += PutNumber(buffer.AsSpan(n), TagIndexSize, (ulong)IndexSize);
        n += PutNumber(buffer.AsSpan(n), TagFormatVersion, FormatVersion);
        n += PutNumber(buffer.AsSpan(n), TagCompression, (ulong)Compression);
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Parses a properties block. Throws <see cref="CorruptionException"/> naming
    /// <paramref name="path"/> and <paramref name="fileOffset"/> (the block's offset) on bad framing.
    /// </summary>
    public static TableProperties Decode(ReadOnlySpan<byte> src, string path, long fileOffset)
    {
        long entries = 0, tombstones = 0, rawKeys = 0, rawValues = 0, dataBlocks = 0, filterSize = 0, indexSize = 0;
        ulong smallestSeq = 0, largestSeq = 0, version = 0, compression = 0;
        byte[] smallest = [], largest = [];
        int p = 0;
        while (p < src.Length)
        {
            int a = Coding.GetVarint32(src[p..], out uint tag);
            int b = Coding.GetVarint32(src[(p + a)..], out uint length);
            if (a == 0 || b == 0 || length > (uint)(src.Length - p - a - b))
            {
                throw new CorruptionException(path, fileOffset + p, "bad properties field framing");
            }

            var payload = src.Slice(p + a + b, (int)length);
            switch (tag)
            {
                case TagSmallestKey: smallest = payload.ToArray(); break;
                case TagLargestKey: largest = payload.ToArray(); break;
                case TagEntryCount: entries = (long)Number(payload, path, fileOffset + p); break;
                case TagTombstoneCount: tombstones = (long)Number(payload, path, fileOffset + p); break;
                case TagSmallestSequence: smallestSeq = Number(payload, path, fileOffset + p); break;
                case TagLargestSequence: largestSeq = Number(payload, path, fileOffset + p); break;
                case TagRawKeyBytes: rawKeys = (long)Number(payload, path, fileOffset + p); break;
                case TagRawValueBytes: rawValues = (long)Number(payload, path, fileOffset + p); break;
                case TagDataBlockCount: dataBlocks = (long)Number(payload, path, fileOffset + p); break;
                case TagFilterSize: filterSize = (long)Number(payload, path, fileOffset + p); break;
                case TagIndexSize: indexSize = (long)Number(payload, path, fileOffset + p); break;
                case TagFormatVersion: version = Number(payload, path, fileOffset + p); break;
                case TagCompression: compression = Number(payload, path, fileOffset + p); break;
                default: break; // Unknown tag from a later writer: skip.
            }

            p += a + b + (int)length;
        }

        return new TableProperties
        {
            EntryCount = entries,
            TombstoneCount = tombstones,
            SmallestKey = smallest,
            LargestKey = largest,
            SmallestSequence = smallestSeq,
            LargestSequence = largestSeq,
            RawKeyBytes = rawKeys,
            RawValueBytes = rawValues,
            DataBlockCount = dataBlocks,
            FilterSize = filterSize,
            IndexSize = indexSize,
            FormatVersion = (uint)version,
            Compression = (BlockCompression)compression,
        };
    }

    public override string ToString() =>
        $"entries={EntryCount} tombstones={TombstoneCount} dataBlocks={DataBlockCount} filter={FilterSize}B index={IndexSize}B " +
        $"seq=[{SmallestSequence}..{LargestSequence}] raw={RawKeyBytes}+{RawValueBytes}B v{FormatVersion} {Compression}";

    private static int PutNumber(Span<byte> dst, uint tag, ulong value)
    {
        int n = Coding.PutVarint32(dst, tag);
        n += Coding.PutVarint32(dst[n..], (uint)Coding.VarintLength(value));
        return n + Coding.PutVarint64(dst[n..], value);
    }

    private static int PutBytes(Span<byte> dst, uint tag, ReadOnlySpan<byte> value)
    {
        int n = Coding.PutVarint32(dst, tag);
        n += Coding.PutVarint32(dst[n..], (uint)value.Length);
        value.CopyTo(dst[n..]);
        return n + value.Length;
    }

    private static ulong Number(ReadOnlySpan<byte> payload, string path, long fileOffset)
    {
        if (Coding.GetVarint64(payload, out ulong value) != payload.Length)
        {
            throw new CorruptionException(path, fileOffset, "bad numeric property");
        }

        return value;
    }
}
