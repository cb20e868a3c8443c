namespace ActorLsm.Storage.Tables;

/// <summary>Knobs of one <see cref="TableBuilder"/>; the matching <see cref="LsmOptions"/> settings feed them.</summary>
internal sealed class TableBuilderOptions
{
    /// <summary>Target uncompressed data block size in bytes; a block is cut once it reaches it. Default 4096.</summary>
    public int BlockSize { get; set; } = TableFormat.DefaultBlockSize;

    /// <summary>Entries between restart points in data blocks, &gt;= 1. Default 16.</summary>
    public int RestartInterval { get; set; } = TableFormat.DefaultRestartInterval;

    /// <summary>Bloom filter bits per user key; 0 writes no filter. Default 10.</summary>
    public int BloomBitsPerKey { get; set; } = TableFormat.DefaultBloomBitsPerKey;

    /// <summary>Data block codec. Default none.</summary>
    public BlockCompression Compression { get; set; } = BlockCompression.None;

    /// <summary>Options matching a store's <see cref="LsmOptions"/>.</summary>
    public static TableBuilderOptions From(LsmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TableBuilderOptions
        {
            BlockSize = options.BlockSize,
            RestartInterval = options.BlockRestartInterval,
            BloomBitsPerKey = options.BloomBitsPerKey,
            Compression = options.Compression,
        };
    }
}
