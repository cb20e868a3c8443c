using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp;

/// <summary>
/// The seam for key expiry (TTL): the node passes <c>RespNodeExpiry</c> (src/ActorLsm.Server/Resp), backed by the
/// engine's TTL; with none, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, PERSIST, SETEX, PSETEX, GETEX and SET's
/// EX/PX/EXAT/PXAT/KEEPTTL options answer <c>ERR TTL not supported yet</c>. Every TTL command is in
/// <c>Commands/TtlCommands.cs</c>. Times are absolute Unix milliseconds written by the leader (issue 14: "The
/// expiry is stored with the value as an absolute time").
/// </summary>
public interface IRespExpiry
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> expiring at <paramref name="expiresAtUnixMs"/> (0 = never).</summary>
    Task SetAsync(byte[] key, byte[] value, long expiresAtUnixMs, CancellationToken cancellationToken);

    /// <summary>The key's expiry in Unix ms: -1 when it has none, -2 when the key is absent (Redis's PTTL convention, absolute).</summary>
    Task<long> GetExpiryAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>Sets (or with 0 removes) the expiry of an existing key; false when the key is absent.</summary>
    Task<bool> SetExpiryAsync(byte[] key, long expiresAtUnixMs, CancellationToken cancellationToken);

    /// <summary>
    /// An atomic read-modify-write of one key with its expiry, at the key's shard (no other write of the key
    /// comes between the read and the write, whoever sends it): <paramref name="updater"/> gets the key's value
    /// and expiry (null when absent or expired) and the shard's clock in Unix ms, and decides. Completes with the
    /// updater's reply once its write, if any, is durable. An exception the updater throws fails the task and
    /// writes nothing.
    /// </summary>
    Task<RespValue> UpdateAsync(byte[] key, Func<RespEntry?, long, RespUpdate> updater, CancellationToken cancellationToken);
}

/// <summary>A key's value and expiry as an <see cref="IRespExpiry.UpdateAsync"/> updater sees it.</summary>
/// <param name="Value">The value.</param>
/// <param name="ExpiresAtUnixMs">Absolute expiry in Unix ms; 0 when it has none.</param>
public readonly record struct RespEntry(byte[] Value, long ExpiresAtUnixMs);

/// <summary>What an <see cref="IRespExpiry.UpdateAsync"/> updater decided.</summary>
/// <param name="Reply">The command's reply.</param>
/// <param name="Write">True to write <paramref name="Value"/> (null: delete the key).</param>
/// <param name="Value">The new value, or null to delete.</param>
/// <param name="ExpiresAtUnixMs">The new value's absolute expiry in Unix ms; 0 for none.</param>
public readonly record struct RespUpdate(RespValue Reply, bool Write, byte[]? Value, long ExpiresAtUnixMs)
{
    /// <summary>Write nothing; reply <paramref name="reply"/>.</summary>
    public static RespUpdate None(RespValue reply) => new(reply, false, null, 0);

    /// <summary>Put <paramref name="value"/> expiring at <paramref name="expiresAtUnixMs"/> (0: never); reply <paramref name="reply"/>.</summary>
    public static RespUpdate Put(RespValue reply, byte[] value, long expiresAtUnixMs) => new(reply, true, value, expiresAtUnixMs);
}
