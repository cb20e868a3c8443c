namespace ActorLsm.Resp;

/// <summary>
/// The seam for key expiry (TTL). The engine's TTL work (branch wip/ttl) implements it; until then the node
/// passes none and EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, PERSIST, SETEX, PSETEX, GETEX and SET's
/// EX/PX/EXAT/PXAT/KEEPTTL options answer <c>ERR TTL not supported yet</c>. Every TTL command is in
/// <c>Commands/TtlCommands.cs</c>, the one place to wire it. Times are absolute Unix milliseconds written by
/// the leader (issue 14: "The expiry is stored with the value as an absolute time").
/// </summary>
public interface IRespExpiry
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> expiring at <paramref name="expiresAtUnixMs"/> (0 = never).</summary>
    Task SetAsync(byte[] key, byte[] value, long expiresAtUnixMs, CancellationToken cancellationToken);

    /// <summary>The key's expiry in Unix ms: -1 when it has none, -2 when the key is absent (Redis's PTTL convention, absolute).</summary>
    Task<long> GetExpiryAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>Sets (or with 0 removes) the expiry of an existing key; false when the key is absent.</summary>
    Task<bool> SetExpiryAsync(byte[] key, long expiresAtUnixMs, CancellationToken cancellationToken);
}
