namespace ActorLsm.Storage;

/// <summary>Options of one read or iterator (LevelDB's ReadOptions, with RocksDB's iterate bounds).</summary>
public sealed class ReadOptions
{
    /// <summary>Read as of this snapshot; null reads the latest acknowledged writes.</summary>
    public LsmSnapshot? Snapshot { get; init; }

    /// <summary>Inclusive lower bound of an iterator's user keys; null means unbounded.</summary>
    public byte[]? LowerBound { get; init; }

    /// <summary>Exclusive upper bound of an iterator's user keys; null means unbounded.</summary>
    public byte[]? UpperBound { get; init; }

    /// <summary>Whether blocks read by an iterator enter the block cache (false for one-off scans).</summary>
    public bool FillCache { get; init; } = true;
}
