using System.Buffers.Binary;
using System.Text;

namespace ActorLsm.Persistence.Layout;

/// <summary>
/// Builds and parses the keys of FORMAT.md ("Grammar") for one <c>key-prefix</c>. Every key of one
/// persistence id carries the hash tag <c>{p:esc(pid)}</c>, each tag index <c>{t:esc(tag)}</c>, the
/// all-events index <c>{a}</c> and the persistence-ids index <c>{i}</c>. Immutable and thread-safe.
/// </summary>
internal sealed class PersistenceKeys
{
    /// <summary>Kind byte of a journal entry (event-key).</summary>
    public const byte EventKind = (byte)'e';

    /// <summary>Kind byte of the highest-sequence marker.</summary>
    public const byte HighestKind = (byte)'h';

    /// <summary>Kind byte of the deletion marker.</summary>
    public const byte DeletedKind = (byte)'d';

    /// <summary>Kind byte of a snapshot header.</summary>
    public const byte SnapshotKind = (byte)'s';

    /// <summary>Kind byte of a snapshot chunk.</summary>
    public const byte ChunkKind = (byte)'c';

    /// <summary>Kind byte of a tag or all-events index entry.</summary>
    public const byte IndexEntryKind = (byte)'x';

    /// <summary>Kind byte of a persistence-ids index entry.</summary>
    public const byte IdsEntryKind = (byte)'n';

    private readonly byte[] _prefix;

    /// <summary>Keys under <paramref name="prefix"/>. Throws ArgumentException when it contains '{' or '}'.</summary>
    public PersistenceKeys(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Contains('{', StringComparison.Ordinal) || prefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ArgumentException($"key-prefix \"{prefix}\" must not contain '{{' or '}}' (the hash tag follows it)", nameof(prefix));
        }

        Prefix = prefix;
        _prefix = Encoding.UTF8.GetBytes(prefix);
        AllBase = Concat(_prefix, "{a}"u8);
        IdsBase = Concat(_prefix, "{i}"u8);
    }

    /// <summary>The key-prefix text.</summary>
    public string Prefix { get; }

    /// <summary>prefix '{a}': the all-events index's base.</summary>
    public byte[] AllBase { get; }

    /// <summary>prefix '{i}': the persistence-ids index's base.</summary>
    public byte[] IdsBase { get; }

    /// <summary>esc(s) of FORMAT.md: UTF-8 with '%', '{', '}' percent-escaped.</summary>
    public static byte[] Escape(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        byte[] raw = Encoding.UTF8.GetBytes(s);
        int extra = 0;
        foreach (byte b in raw)
        {
            if (NeedsEscape(b))
            {
                extra += 2;
            }
        }

        if (extra == 0)
        {
            return raw;
        }

        var result = new byte[raw.Length + extra];
        int i = 0;
        foreach (byte b in raw)
        {
            if (NeedsEscape(b))
            {
                result[i++] = (byte)'%';
                result[i++] = Hex(b >> 4);
                result[i++] = Hex(b & 0xF);
            }
            else
            {
                result[i++] = b;
            }
        }

        return result;
    }

    /// <summary>The inverse of <see cref="Escape"/>. Throws FormatException on a malformed escape.</summary>
    public static string Unescape(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'%') < 0)
        {
            return Encoding.UTF8.GetString(escaped);
        }

        var raw = new byte[escaped.Length];
        int n = 0;
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == (byte)'%')
            {
                if (i + 2 >= escaped.Length)
                {
                    throw new FormatException("truncated %-escape in a persistence key");
                }

                raw[n++] = (byte)((Unhex(escaped[i + 1]) << 4) | Unhex(escaped[i + 2]));
                i += 2;
            }
            else
            {
                raw[n++] = escaped[i];
            }
        }

        return Encoding.UTF8.GetString(raw, 0, n);
    }

    /// <summary>prefix '{p:' esc(pid) '}': the base of every key of <paramref name="persistenceId"/>.</summary>
    public byte[] PidBase(string persistenceId) => Concat(_prefix, "{p:"u8, Escape(persistenceId), "}"u8);

    /// <summary>prefix '{t:' esc(tag) '}': the base of <paramref name="tag"/>'s index.</summary>
    public byte[] TagBase(string tag) => Concat(_prefix, "{t:"u8, Escape(tag), "}"u8);

    /// <summary>pid-base 'e' seq. REQUIRES: seq &gt;= 0.</summary>
    public static byte[] Event(byte[] pidBase, long seq) => WithKindAndU64(pidBase, EventKind, seq);

    /// <summary>pid-base 'h'.</summary>
    public static byte[] Highest(byte[] pidBase) => Concat(pidBase, [HighestKind]);

    /// <summary>pid-base 'd'.</summary>
    public static byte[] Deleted(byte[] pidBase) => Concat(pidBase, [DeletedKind]);

    /// <summary>pid-base 's' seq. REQUIRES: seq &gt;= 0.</summary>
    public static byte[] Snapshot(byte[] pidBase, long seq) => WithKindAndU64(pidBase, SnapshotKind, seq);

    /// <summary>pid-base 'c' seq generation index.</summary>
    public static byte[] Chunk(byte[] pidBase, long seq, ulong generation, int index)
    {
        var key = new byte[pidBase.Length + 1 + 8 + 8 + 4];
        pidBase.CopyTo(key, 0);
        key[pidBase.Length] = ChunkKind;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(pidBase.Length + 1), (ulong)seq);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(pidBase.Length + 9), generation);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(pidBase.Length + 17), (uint)index);
        return key;
    }

    /// <summary>
    /// tag-base/all-base 'x' ordering seq esc(pid): an index entry. REQUIRES: <paramref name="indexBase"/> is
    /// <see cref="TagBase"/> or <see cref="AllBase"/>.
    /// </summary>
    public static byte[] IndexEntry(byte[] indexBase, ulong ordering, long seq, byte[] escapedPid)
    {
        var key = new byte[indexBase.Length + 1 + 8 + 8 + escapedPid.Length];
        indexBase.CopyTo(key, 0);
        key[indexBase.Length] = IndexEntryKind;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(indexBase.Length + 1), ordering);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(indexBase.Length + 9), (ulong)seq);
        escapedPid.CopyTo(key, indexBase.Length + 17);
        return key;
    }

    /// <summary>
    /// The first index key with an ordering &gt;= <paramref name="ordering"/> under <paramref name="indexBase"/>:
    /// indexBase 'x' ordering (a scan start).
    /// </summary>
    public static byte[] IndexFrom(byte[] indexBase, ulong ordering) => WithKindAndU64(indexBase, IndexEntryKind, (long)ordering);

    /// <summary>The key just after every index entry under <paramref name="indexBase"/>: indexBase 'y'.</summary>
    public static byte[] IndexEnd(byte[] indexBase) => Concat(indexBase, [(byte)(IndexEntryKind + 1)]);

    /// <summary>(ordering, seq, pid) of an index entry key under <paramref name="indexBase"/>. Throws FormatException when malformed.</summary>
    public static (ulong Ordering, long Seq, string PersistenceId) ParseIndexEntry(byte[] indexBase, ReadOnlySpan<byte> key)
    {
        if (key.Length < indexBase.Length + 17 || !key.StartsWith(indexBase) || key[indexBase.Length] != IndexEntryKind)
        {
            throw new FormatException("not an index entry key");
        }

        ReadOnlySpan<byte> rest = key[(indexBase.Length + 1)..];
        return (BinaryPrimitives.ReadUInt64BigEndian(rest), (long)BinaryPrimitives.ReadUInt64BigEndian(rest[8..]), Unescape(rest[16..]));
    }

    /// <summary>ids-base 'n' esc(pid).</summary>
    public byte[] IdsEntry(string persistenceId) => Concat(IdsBase, [IdsEntryKind], Escape(persistenceId));

    /// <summary>The persistence id of an ids-entry key. Throws FormatException when malformed.</summary>
    public string ParseIdsEntry(ReadOnlySpan<byte> key)
    {
        if (key.Length < IdsBase.Length + 1 || !key.StartsWith(IdsBase) || key[IdsBase.Length] != IdsEntryKind)
        {
            throw new FormatException("not a persistence-ids entry key");
        }

        return Unescape(key[(IdsBase.Length + 1)..]);
    }

    /// <summary>The smallest key greater than every key that starts with <paramref name="key"/>'s bytes and one more: key 0x00 (exclusive end "just after key").</summary>
    public static byte[] After(byte[] key) => Concat(key, [0]);

    /// <summary>The sequence number of an event-key or snapshot-key of <paramref name="pidBase"/>.</summary>
    public static long SeqOf(byte[] pidBase, ReadOnlySpan<byte> key) =>
        key.Length == pidBase.Length + 9
            ? (long)BinaryPrimitives.ReadUInt64BigEndian(key[(pidBase.Length + 1)..])
            : throw new FormatException("not an event or snapshot key");

    /// <summary>A printable form of <paramref name="key"/> for errors: printable ASCII kept, other bytes as \xNN.</summary>
    public static string Describe(ReadOnlySpan<byte> key)
    {
        var sb = new StringBuilder(key.Length * 2);
        foreach (byte b in key)
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(byte b) => b is (byte)'%' or (byte)'{' or (byte)'}';

    private static byte Hex(int v) => (byte)(v < 10 ? '0' + v : 'A' + v - 10);

    private static int Unhex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => throw new FormatException("bad %-escape in a persistence key"),
    };

    private static byte[] WithKindAndU64(byte[] baseKey, byte kind, long value)
    {
        var key = new byte[baseKey.Length + 9];
        baseKey.CopyTo(key, 0);
        key[baseKey.Length] = kind;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(baseKey.Length + 1), (ulong)value);
        return key;
    }

    private static byte[] Concat(byte[] a, ReadOnlySpan<byte> b) => [.. a, .. b];

    private static byte[] Concat(byte[] a, ReadOnlySpan<byte> b, byte[] c) => [.. a, .. b, .. c];

    private static byte[] Concat(byte[] a, ReadOnlySpan<byte> b, byte[] c, ReadOnlySpan<byte> d) => [.. a, .. b, .. c, .. d];
}
