using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ActorLsm.Storage.Keys;

/// <summary>
/// Internal keys, as in LevelDB (dbformat.h): <c>user_key ++ fixed64_le((sequence &lt;&lt; 8) | kind)</c>.
/// The 8-byte trailer holds a 56-bit sequence number and a <see cref="ValueKind"/>. Internal keys
/// order by user key ascending (bytewise), then by trailer descending, so the newest version of
/// a user key comes first. This layout is part of the memtable, SSTable and manifest formats.
/// </summary>
internal static class InternalKey
{
    /// <summary>Bytes of the trailer after the user key.</summary>
    public const int TrailerSize = 8;

    /// <summary>Largest sequence number: 2^56 - 1.</summary>
    public const ulong MaxSequence = (1UL << 56) - 1;

    /// <summary>The kind used for seek keys (the largest kind; see <see cref="ValueKind"/>).</summary>
    public const ValueKind KindForSeek = ValueKind.PutWithExpiry;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PackTrailer(ulong sequence, ValueKind kind) => (sequence << 8) | (byte)kind;

    /// <summary>Bytes needed for an internal key with a user key of <paramref name="userKeyLength"/> bytes.</summary>
    public static int EncodedLength(int userKeyLength) => userKeyLength + TrailerSize;

    /// <summary>
    /// Writes the internal key into <paramref name="dst"/> and returns the bytes written.
    /// REQUIRES: dst.Length &gt;= userKey.Length + 8; sequence &lt;= <see cref="MaxSequence"/>.
    /// </summary>
    public static int Encode(Span<byte> dst, ReadOnlySpan<byte> userKey, ulong sequence, ValueKind kind)
    {
        userKey.CopyTo(dst);
        BinaryPrimitives.WriteUInt64LittleEndian(dst[userKey.Length..], PackTrailer(sequence, kind));
        return userKey.Length + TrailerSize;
    }

    /// <summary>Allocates and returns an internal key.</summary>
    public static byte[] Create(ReadOnlySpan<byte> userKey, ulong sequence, ValueKind kind)
    {
        var key = new byte[userKey.Length + TrailerSize];
        Encode(key, userKey, sequence, kind);
        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> UserKey(ReadOnlySpan<byte> internalKey) => internalKey[..^TrailerSize];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Trailer(ReadOnlySpan<byte> internalKey) => BinaryPrimitives.ReadUInt64LittleEndian(internalKey[^TrailerSize..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sequence(ReadOnlySpan<byte> internalKey) => Trailer(internalKey) >> 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueKind Kind(ReadOnlySpan<byte> internalKey) => (ValueKind)(byte)Trailer(internalKey);

    /// <summary>True when <paramref name="internalKey"/> is long enough to hold a trailer and has a known kind.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> internalKey) =>
        internalKey.Length >= TrailerSize && (byte)Trailer(internalKey) <= (byte)ValueKind.PutWithExpiry;

    /// <summary>
    /// Orders internal keys: user key ascending (bytewise), then trailer descending (newest first).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int c = UserKey(a).SequenceCompareTo(UserKey(b));
        if (c != 0)
        {
            return c;
        }

        ulong ta = Trailer(a);
        ulong tb = Trailer(b);
        return ta > tb ? -1 : ta < tb ? 1 : 0;
    }

    /// <summary>Bytewise user-key comparison (the only user comparator ActorLsm supports).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CompareUserKeys(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    /// <summary>Human-readable form for errors and tests: <c>'key' @ seq : kind</c>.</summary>
    public static string Describe(ReadOnlySpan<byte> internalKey) =>
        IsWellFormed(internalKey)
            ? $"'{Convert.ToHexString(UserKey(internalKey))}' @ {Sequence(internalKey)} : {Kind(internalKey)}"
            : $"<malformed {Convert.ToHexString(internalKey)}>";
}
