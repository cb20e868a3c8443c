namespace ActorLsm.Storage.Wal;

/// <summary>
/// Format constants of the log file shared by the WAL and the manifest (Wal/FORMAT.md). Every
/// record is framed as <c>masked_crc32c(4) | length(4, fixed32 LE) | type(1) | payload(length)</c>;
/// the CRC covers the type byte and the payload and is masked as in LevelDB's log format.
/// Unlike LevelDB, records are not split into 32 KiB blocks: each record is one contiguous frame.
/// All values here are part of the on-disk format.
/// </summary>
internal static class LogFormat
{
    /// <summary>Bytes of the record header: masked CRC (4) + payload length (4) + type (1).</summary>
    public const int HeaderSize = 9;

    /// <summary>Offset of the fixed32 masked CRC in the header.</summary>
    public const int CrcOffset = 0;

    /// <summary>Offset of the fixed32 payload length in the header.</summary>
    public const int LengthOffset = 4;

    /// <summary>Offset of the type byte in the header (the first byte the CRC covers).</summary>
    public const int TypeOffset = 8;

    /// <summary>Largest payload of one record: 1 GiB. Writers reject larger payloads; readers treat a larger length as a framing failure.</summary>
    public const int MaxRecordSize = 1 << 30;

    /// <summary>
    /// Reserved: never written. All-zero bytes (the grown space after a WAL segment's last record,
    /// or zero-filled space after a crash) read as this type; they never carry a valid CRC.
    /// </summary>
    public const byte Zero = 0;

    /// <summary>A whole record: one WAL write batch or one manifest version edit.</summary>
    public const byte Full = 1;

    /// <summary>Reserved for the first fragment of a record split across blocks (LevelDB's numbering); never written by this version.</summary>
    public const byte First = 2;

    /// <summary>Reserved for an inner fragment of a split record; never written by this version.</summary>
    public const byte Middle = 3;

    /// <summary>Reserved for the last fragment of a split record; never written by this version.</summary>
    public const byte Last = 4;

    /// <summary>True for the types this version may write and read back (values 1 and 5..255); false for the reserved 0 and 2..4.</summary>
    public static bool IsUsableType(byte type) => type == Full || type > Last;
}
