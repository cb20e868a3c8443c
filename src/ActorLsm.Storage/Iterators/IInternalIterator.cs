namespace ActorLsm.Storage.Iterators;

/// <summary>
/// A positioned cursor over internal-key entries (see <see cref="Keys.InternalKey"/>) in internal
/// key order: the shape of LevelDB's Iterator. Memtables, data blocks, SSTables, levels and the
/// merging iterator all implement it. <see cref="Key"/> and <see cref="Value"/> are valid only
/// while <see cref="Valid"/> and until the next positioning call. Corrupt data surfaces as a
/// <see cref="CorruptionException"/> thrown from the positioning call that met it.
/// </summary>
internal interface IInternalIterator : IDisposable
{
    /// <summary>True when positioned on an entry.</summary>
    bool Valid { get; }

    /// <summary>The internal key of the current entry. REQUIRES: Valid.</summary>
    ReadOnlySpan<byte> Key { get; }

    /// <summary>The value of the current entry (empty for tombstones). REQUIRES: Valid.</summary>
    ReadOnlySpan<byte> Value { get; }

    void SeekToFirst();

    void SeekToLast();

    /// <summary>Positions at the first entry whose internal key is &gt;= <paramref name="internalKey"/>.</summary>
    void Seek(ReadOnlySpan<byte> internalKey);

    /// <summary>Positions at the last entry whose internal key is &lt;= <paramref name="internalKey"/>.</summary>
    void SeekForPrev(ReadOnlySpan<byte> internalKey);

    /// <summary>REQUIRES: Valid.</summary>
    void Next();

    /// <summary>REQUIRES: Valid.</summary>
    void Prev();
}
