using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// The fixed-size tail of a table (<see cref="TableFormat.FooterSize"/> = 76 bytes): handles of
/// the filter, properties and index blocks, zero padded to 60 bytes, then fixed32 format version,
/// fixed32 masked CRC32C of the preceding 64 bytes, fixed64 magic. LevelDB's footer plus a version
/// and a checksum, so a flipped bit in the handles is caught. See FORMAT.md.
/// </summary>
internal readonly record struct Footer(BlockHandle Filter, BlockHandle Properties, BlockHandle Index, uint FormatVersion)
{
    /// <summary>Writes the footer. REQUIRES: dst.Length &gt;= <see cref="TableFormat.FooterSize"/>.</summary>
    public void EncodeTo(Span<byte> dst)
    {
        dst = dst[..TableFormat.FooterSize];
        dst.Clear();
        int n = Filter.EncodeTo(dst);
        n += Properties.EncodeTo(dst[n..]);
        Index.EncodeTo(dst[n..]);
        Coding.PutFixed32(dst[TableFormat.FooterHandlesSize..], FormatVersion);
        int crcAt = TableFormat.FooterHandlesSize + 4;
        Coding.PutFixed32(dst[crcAt..], Crc32C.Mask(Crc32C.Compute(dst[..crcAt])));
        Coding.PutFixed64(dst[(crcAt + 4)..], TableFormat.MagicNumber);
    }

    /// <summary>
    /// Parses a footer read from <paramref name="path"/> at <paramref name="fileOffset"/>.
    /// Throws <see cref="CorruptionException"/> on a bad magic number, checksum, version or handle.
    /// </summary>
    public static Footer Decode(ReadOnlySpan<byte> src, string path, long fileOffset)
    {
        if (src.Length != TableFormat.FooterSize)
        {
            throw new CorruptionException(path, fileOffset, $"footer is {src.Length} bytes, expected {TableFormat.FooterSize}");
        }

        int crcAt = TableFormat.FooterHandlesSize + 4;
        if (Coding.GetFixed64(src[(crcAt + 4)..]) != TableFormat.MagicNumber)
        {
            throw new CorruptionException(path, fileOffset + crcAt + 4, "bad table magic number (not an ActorLsm SSTable)");
        }

        uint expected = Crc32C.Unmask(Coding.GetFixed32(src[crcAt..]));
        if (Crc32C.Compute(src[..crcAt]) != expected)
        {
            throw new CorruptionException(path, fileOffset, "footer checksum mismatch");
        }

        uint version = Coding.GetFixed32(src[TableFormat.FooterHandlesSize..]);
        if (version != TableFormat.FormatVersion)
        {
            throw new CorruptionException(path, fileOffset + TableFormat.FooterHandlesSize, $"unsupported table format version {version}");
        }

        var handles = src[..TableFormat.FooterHandlesSize];
        int a = BlockHandle.TryDecode(handles, out var filter);
        int b = BlockHandle.TryDecode(handles[a..], out var properties);
        int c = BlockHandle.TryDecode(handles[(a + b)..], out var index);
        if (a == 0 || b == 0 || c == 0)
        {
            throw new CorruptionException(path, fileOffset, "bad block handle in footer");
        }

        return new Footer(filter, properties, index, version);
    }
}
