namespace ActorLsm.Storage.Keys;

/// <summary>
/// The kind of an internal-key entry: the low 8 bits of its trailer. Format constant: the values
/// are stored in WAL records, memtables and SSTables. As in LevelDB, <see cref="Put"/> is the
/// largest kind, so a seek key built with it sorts before every entry of the same user key and
/// sequence number.
/// </summary>
public enum ValueKind : byte
{
    /// <summary>A tombstone: the key was deleted at this sequence number.</summary>
    Delete = 0,

    /// <summary>A value was written at this sequence number.</summary>
    Put = 1,
}
