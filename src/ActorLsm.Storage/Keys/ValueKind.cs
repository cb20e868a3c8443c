namespace ActorLsm.Storage.Keys;

/// <summary>
/// The kind of an internal-key entry: the low 8 bits of its trailer. Format constant: the values
/// are stored in WAL records, memtables and SSTables. As in LevelDB, the seek kind
/// (<see cref="InternalKey.KindForSeek"/>) is the largest kind, so a seek key built with it sorts
/// before every entry of the same user key and sequence number.
/// </summary>
public enum ValueKind : byte
{
    /// <summary>A tombstone: the key was deleted at this sequence number.</summary>
    Delete = 0,

    /// <summary>A value was written at this sequence number.</summary>
    Put = 1,

    /// <summary>
    /// A value with an expiry was written at this sequence number. The stored value bytes are
    /// <c>expires_at_unix_ms: fixed64 (signed, little-endian) ++ user value</c> (<see cref="ExpiringValueCodec"/>).
    /// Once the reader's clock reaches the expiry the entry reads as a tombstone (Redis's TTL
    /// semantics; RocksDB's DBWithTTL stores a timestamp suffix the same way). Added after
    /// <see cref="Put"/>, so files without expiring values are unchanged.
    /// </summary>
    PutWithExpiry = 2,
}
