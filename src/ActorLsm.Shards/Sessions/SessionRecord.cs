using System.Diagnostics;
using System.Text;

namespace ActorLsm.Shards.Sessions;

/// <summary>
/// Where a shard keeps its client sessions: one record per client under a reserved key (FORMAT.md),
/// written in the same write batch as the client's data, so it is replicated, recovered from the WAL and
/// carried in snapshots with the data. Clients can neither write, read nor scan the reserved range.
/// </summary>
internal static class SessionKeys
{
    /// <summary>The first bytes of every session key: <c>FF FF FF FF 73 65 73 73</c> ("\xFF\xFF\xFF\xFFsess").</summary>
    public static ReadOnlySpan<byte> Prefix => [0xFF, 0xFF, 0xFF, 0xFF, 0x73, 0x65, 0x73, 0x73];

    /// <summary>The smallest key above the reserved range (the prefix with its last byte plus one).</summary>
    public static ReadOnlySpan<byte> End => [0xFF, 0xFF, 0xFF, 0xFF, 0x73, 0x65, 0x73, 0x74];

    /// <summary>True when <paramref name="key"/> lies in the reserved range (starts with <see cref="Prefix"/>).</summary>
    public static bool IsReserved(ReadOnlySpan<byte> key) => key.StartsWith(Prefix);

    /// <summary>The session key of <paramref name="clientId"/>: the prefix and the id's 16 bytes (Guid.TryWriteBytes order).</summary>
    public static byte[] Of(Guid clientId)
    {
        var key = new byte[Prefix.Length + 16];
        Prefix.CopyTo(key);
        clientId.TryWriteBytes(key.AsSpan(Prefix.Length));
        return key;
    }
}

/// <summary>
/// What a shard remembers of one applied write of a session: the reply it got. <see cref="Sequence"/> is
/// the shard sequence number of the write's first operation (the reply of a put, delete or batch part);
/// an update also keeps its result (<see cref="HasResult"/>).
/// </summary>
internal readonly record struct SessionOutcome(ulong Sequence, bool HasResult, object? Result)
{
    /// <summary>The reply the shard actor sends: the boxed sequence, or an <see cref="UpdateOutcome"/>.</summary>
    public object Reply => HasResult ? new UpdateOutcome(Sequence, Result) : Sequence;

    /// <summary>True when an update result of this type can be kept in a session record.</summary>
    public static bool CanKeep(object? result) => result is null or bool or long or int or string or byte[];
}

/// <summary>
/// The bytes of a session record's value (FORMAT.md): a version byte, the floor (lowest sequence the
/// client still waited for) and the outcome of each applied write at or above it, ascending.
/// </summary>
internal static class SessionRecord
{
    public const byte Version = 1;

    private const byte TagWrite = 0;
    private const byte TagNull = 1;
    private const byte TagFalse = 2;
    private const byte TagTrue = 3;
    private const byte TagInt64 = 4;
    private const byte TagBytes = 5;
    private const byte TagString = 6;
    private const byte TagInt32 = 7;

    /// <summary>Encodes <paramref name="floor"/> and <paramref name="outcomes"/> (client sequence to outcome, ascending).</summary>
    public static byte[] Encode(ulong floor, IEnumerable<KeyValuePair<ulong, SessionOutcome>> outcomes)
    {
        using var stream = new MemoryStream(32);
        using var w = new BinaryWriter(stream);
        w.Write(Version);
        w.Write7BitEncodedInt64((long)floor);
        KeyValuePair<ulong, SessionOutcome>[] all = [.. outcomes];
        w.Write7BitEncodedInt(all.Length);
        ulong previous = 0;
        foreach ((ulong sequence, SessionOutcome outcome) in all)
        {
            Debug.Assert(sequence > previous, "outcomes ascend");
            w.Write7BitEncodedInt64((long)sequence);
            w.Write7BitEncodedInt64((long)outcome.Sequence);
            WriteResult(w, outcome);
            previous = sequence;
        }

        w.Flush();
        return stream.ToArray();
    }

    /// <summary>Decodes a record; throws <see cref="InvalidDataException"/> on bytes this version cannot read.</summary>
    public static (ulong Floor, SortedDictionary<ulong, SessionOutcome> Outcomes) Decode(byte[] value)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(value, writable: false));
            byte version = r.ReadByte();
            if (version != Version)
            {
                throw new InvalidDataException($"session record version {version} is not {Version}");
            }

            ulong floor = (ulong)r.ReadInt64Varint();
            int count = r.Read7BitEncodedInt();
            var outcomes = new SortedDictionary<ulong, SessionOutcome>();
            for (int i = 0; i < count; i++)
            {
                ulong sequence = (ulong)r.ReadInt64Varint();
                ulong shardSequence = (ulong)r.ReadInt64Varint();
                outcomes[sequence] = ReadResult(r, shardSequence);
            }

            if (r.BaseStream.Position != value.Length)
            {
                throw new InvalidDataException("session record has trailing bytes");
            }

            return (floor, outcomes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("session record is truncated", e);
        }
    }

    private static long ReadInt64Varint(this BinaryReader r) => r.Read7BitEncodedInt64();

    private static void WriteResult(BinaryWriter w, SessionOutcome outcome)
    {
        if (!outcome.HasResult)
        {
            w.Write(TagWrite);
            return;
        }

        switch (outcome.Result)
        {
            case null:
                w.Write(TagNull);
                break;
            case bool b:
                w.Write(b ? TagTrue : TagFalse);
                break;
            case long l:
                w.Write(TagInt64);
                w.Write(l);
                break;
            case int i:
                w.Write(TagInt32);
                w.Write(i);
                break;
            case byte[] bytes:
                w.Write(TagBytes);
                w.Write7BitEncodedInt(bytes.Length);
                w.Write(bytes);
                break;
            case string s:
                byte[] utf8 = Encoding.UTF8.GetBytes(s);
                w.Write(TagString);
                w.Write7BitEncodedInt(utf8.Length);
                w.Write(utf8);
                break;
            default:
                throw new ArgumentException($"an update result of type {outcome.Result.GetType()} cannot be kept in a session record", nameof(outcome));
        }
    }

    private static byte[] ReadExactly(BinaryReader r)
    {
        int length = r.Read7BitEncodedInt();
        byte[] bytes = r.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException();
    }

    private static SessionOutcome ReadResult(BinaryReader r, ulong shardSequence)
    {
        byte tag = r.ReadByte();
        return tag switch
        {
            TagWrite => new SessionOutcome(shardSequence, false, null),
            TagNull => new SessionOutcome(shardSequence, true, null),
            TagFalse => new SessionOutcome(shardSequence, true, false),
            TagTrue => new SessionOutcome(shardSequence, true, true),
            TagInt64 => new SessionOutcome(shardSequence, true, r.ReadInt64()),
            TagInt32 => new SessionOutcome(shardSequence, true, r.ReadInt32()),
            TagBytes => new SessionOutcome(shardSequence, true, ReadExactly(r)),
            TagString => new SessionOutcome(shardSequence, true, Encoding.UTF8.GetString(ReadExactly(r))),
            _ => throw new InvalidDataException($"session record has an unknown result tag {tag}"),
        };
    }
}
