namespace ActorLsm.Persistence.Layout;

/// <summary>
/// One stored event (FORMAT.md "event-record"): the value under its event-key and, as a copy, under its tag
/// and all-events index entries.
/// </summary>
/// <param name="SequenceNr">Akka sequence number (&gt;= 1).</param>
/// <param name="PersistenceId">The persistent actor's id.</param>
/// <param name="Timestamp">Akka's Persistent.Timestamp (UTC ticks when the writer set none).</param>
/// <param name="Ordering">The writer's hybrid-clock ordering (FORMAT.md "Ordering"); the query offset.</param>
/// <param name="SerializerId">Akka serializer identifier of <paramref name="Payload"/>.</param>
/// <param name="SerializerManifest">Akka serialization manifest of <paramref name="Payload"/>.</param>
/// <param name="EventManifest">The event adapter manifest (IPersistentRepresentation.Manifest).</param>
/// <param name="WriterGuid">The writing actor incarnation's UUID.</param>
/// <param name="Tags">Tags of a Tagged payload; empty when untagged.</param>
/// <param name="Payload">The serialized event.</param>
internal sealed record EventRecord(
    long SequenceNr,
    string PersistenceId,
    long Timestamp,
    ulong Ordering,
    int SerializerId,
    string SerializerManifest,
    string EventManifest,
    string WriterGuid,
    IReadOnlyList<string> Tags,
    byte[] Payload)
{
    private const byte Version = 1;

    /// <summary>The record's bytes (FORMAT.md grammar, CRC-32C last).</summary>
    public byte[] Encode()
    {
        var w = new RecordWriter(64 + Payload.Length + PersistenceId.Length + SerializerManifest.Length + EventManifest.Length + WriterGuid.Length);
        w.U8(Version);
        w.U64((ulong)SequenceNr);
        w.Str(PersistenceId);
        w.I64(Timestamp);
        w.U64(Ordering);
        w.I32(SerializerId);
        w.Str(SerializerManifest);
        w.Str(EventManifest);
        w.Str(WriterGuid);
        w.U32((uint)Tags.Count);
        foreach (string tag in Tags)
        {
            w.Str(tag);
        }

        w.Bytes(Payload);
        return w.FinishWithCrc();
    }

    /// <summary>Decodes <paramref name="value"/>; FormatException when it is short, of another version, or fails its CRC.</summary>
    public static EventRecord Decode(ReadOnlySpan<byte> value)
    {
        var r = new RecordReader(value);
        byte version = r.U8();
        if (version != Version)
        {
            throw new FormatException($"event record version {version}, expected {Version}");
        }

        long seq = (long)r.U64();
        string pid = r.Str();
        long timestamp = r.I64();
        ulong ordering = r.U64();
        int serializerId = r.I32();
        string serializerManifest = r.Str();
        string eventManifest = r.Str();
        string writer = r.Str();
        uint tagCount = r.U32();
        if (tagCount > 65_536)
        {
            throw new FormatException($"event record claims {tagCount} tags");
        }

        var tags = new string[tagCount];
        for (int i = 0; i < tags.Length; i++)
        {
            tags[i] = r.Str();
        }

        byte[] payload = r.Bytes();
        return r.AtEnd ? new EventRecord(seq, pid, timestamp, ordering, serializerId, serializerManifest, eventManifest, writer, tags, payload)
            : throw new FormatException("event record has trailing bytes");
    }
}
