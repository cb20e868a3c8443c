namespace ActorLsm.Persistence.Layout;

/// <summary>
/// The value under a snapshot-key (FORMAT.md "snapshot-header"): metadata, and either the serialized
/// snapshot inline (<see cref="ChunkCount"/> 0) or the number of chunks stored under
/// chunk-key(seq, <see cref="Generation"/>, 0 .. ChunkCount - 1).
/// </summary>
internal sealed record SnapshotHeader(
    long TimestampTicks,
    int SerializerId,
    string SerializerManifest,
    ulong Generation,
    int ChunkCount,
    long TotalLength,
    uint DataCrc,
    byte[] Inline)
{
    private const byte Version = 1;

    public byte[] Encode()
    {
        var w = new RecordWriter(64 + Inline.Length + SerializerManifest.Length);
        w.U8(Version);
        w.I64(TimestampTicks);
        w.I32(SerializerId);
        w.Str(SerializerManifest);
        w.U64(Generation);
        w.U32((uint)ChunkCount);
        w.U64((ulong)TotalLength);
        w.U32(DataCrc);
        w.Bytes(Inline);
        return w.FinishWithCrc();
    }

    /// <summary>Decodes <paramref name="value"/>; FormatException when malformed.</summary>
    public static SnapshotHeader Decode(ReadOnlySpan<byte> value)
    {
        var r = new RecordReader(value);
        byte version = r.U8();
        if (version != Version)
        {
            throw new FormatException($"snapshot header version {version}, expected {Version}");
        }

        var header = new SnapshotHeader(r.I64(), r.I32(), r.Str(), r.U64(), (int)r.U32(), (long)r.U64(), r.U32(), r.Bytes());
        if (!r.AtEnd || header.ChunkCount < 0 || header.TotalLength < 0 || (header.ChunkCount == 0 && header.Inline.Length != header.TotalLength))
        {
            throw new FormatException("snapshot header fields disagree");
        }

        return header;
    }
}
