namespace ActorLsm.Storage.Tables;

/// <summary>
/// Constants of the SSTable file format. Every constant here is a FORMAT CONSTANT: changing one
/// changes the bytes on disk and needs a new <see cref="FormatVersion"/>. The byte grammar is in
/// src/ActorLsm.Storage/SSTable/FORMAT.md. The layout follows LevelDB's table format
/// (doc/table_format.md) with RocksDB's full (whole-table) bloom filter and a properties block.
/// </summary>
internal static class TableFormat
{
    /// <summary>Format constant: the version written in the footer; readers reject any other.</summary>
    public const uint FormatVersion = 1;

    /// <summary>
    /// Format constant: the last 8 bytes of every table, read as fixed64 little-endian. On disk the
    /// bytes spell "ALSMTBL1" (0x41 0x4C 0x53 0x4D 0x54 0x42 0x4C 0x31).
    /// </summary>
    public const ulong MagicNumber = 0x314C42544D534C41UL;

    /// <summary>Format constant: bytes after every block: compression type (1) + masked CRC32C (4).</summary>
    public const int BlockTrailerSize = 5;

    /// <summary>Format constant: bytes reserved for the three block handles in the footer (3 x 20, zero padded).</summary>
    public const int FooterHandlesSize = 3 * BlockHandle.MaxEncodedLength;

    /// <summary>Format constant: footer size: handles (60) + version (4) + footer CRC (4) + magic (8).</summary>
    public const int FooterSize = FooterHandlesSize + 4 + 4 + 8;

    /// <summary>Restart interval of index blocks: every index entry is a restart point, so its key is stored whole.</summary>
    public const int IndexRestartInterval = 1;

    /// <summary>Default keys between restart points in data blocks (LevelDB's block_restart_interval).</summary>
    public const int DefaultRestartInterval = 16;

    /// <summary>Default target size of an uncompressed data block, in bytes.</summary>
    public const int DefaultBlockSize = 4096;

    /// <summary>Default bloom filter bits per user key.</summary>
    public const int DefaultBloomBitsPerKey = 10;
}
