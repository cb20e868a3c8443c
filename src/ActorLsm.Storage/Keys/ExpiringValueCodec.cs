using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ActorLsm.Storage.Keys;

/// <summary>
/// The stored value of a <see cref="ValueKind.PutWithExpiry"/> entry:
/// <c>expires_at_unix_ms: fixed64 (signed two's complement, little-endian) ++ user value</c>
/// (Wal/FORMAT.md, SSTable/FORMAT.md). Expiry is absolute Unix time in milliseconds, decided by
/// the writer (the shard leader), so every replica replaying the record agrees on it.
/// </summary>
internal static class ExpiringValueCodec
{
    /// <summary>Bytes of the expiry prefix.</summary>
    public const int PrefixSize = 8;

    /// <summary>
    /// The expiry of a stored value. REQUIRES: <paramref name="stored"/> is a
    /// <see cref="ValueKind.PutWithExpiry"/> value of at least <see cref="PrefixSize"/> bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ExpiresAt(ReadOnlySpan<byte> stored) => BinaryPrimitives.ReadInt64LittleEndian(stored);

    /// <summary>The user value of a stored value. REQUIRES: as <see cref="ExpiresAt"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> UserValue(ReadOnlySpan<byte> stored) => stored[PrefixSize..];

    /// <summary>
    /// True when an entry of <paramref name="kind"/> with <paramref name="stored"/> bytes reads as
    /// a tombstone at <paramref name="nowUnixMs"/>: a tombstone, or an expiring value whose expiry
    /// is at or before now (Redis: a key whose TTL reached 0 no longer exists). A truncated
    /// expiring value (fewer than 8 bytes; only damage produces one) also reads as deleted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ReadsAsDeleted(ValueKind kind, ReadOnlySpan<byte> stored, long nowUnixMs) =>
        kind == ValueKind.Delete
        || (kind == ValueKind.PutWithExpiry && (stored.Length < PrefixSize || ExpiresAt(stored) <= nowUnixMs));

    /// <summary>The user value of a live entry. REQUIRES: !<see cref="ReadsAsDeleted"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> UserValue(ValueKind kind, ReadOnlySpan<byte> stored) =>
        kind == ValueKind.PutWithExpiry ? stored[PrefixSize..] : stored;

    /// <summary>The expiry of a live entry, or null for a plain put. REQUIRES: !<see cref="ReadsAsDeleted"/>.</summary>
    public static DateTimeOffset? ExpiryOf(ValueKind kind, ReadOnlySpan<byte> stored) =>
        kind == ValueKind.PutWithExpiry ? FromUnixMs(ExpiresAt(stored)) : null;

    /// <summary>Unix milliseconds of <paramref name="time"/>, truncated toward the past.</summary>
    public static long ToUnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>The time of <paramref name="unixMs"/>, clamped to the range <see cref="DateTimeOffset"/> can hold.</summary>
    public static DateTimeOffset FromUnixMs(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(unixMs, MinUnixMs, MaxUnixMs));

    private const long MinUnixMs = -62_135_596_800_000; // DateTimeOffset.MinValue
    private const long MaxUnixMs = 253_402_300_799_999; // DateTimeOffset.MaxValue
}
