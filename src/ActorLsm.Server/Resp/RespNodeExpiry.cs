using ActorLsm.Resp;
using ActorLsm.Resp.Protocol;
using ActorLsm.Shards;
using ActorLsm.Server.Dispatch;
using ActorLsm.Storage;

namespace ActorLsm.Server.Resp;

/// <summary>
/// RESP's expiry commands (EXPIRE, TTL, SET EX, PERSIST, ...) on the engine's TTL: the expiry is an
/// absolute Unix-millisecond time stored with the value in the WAL record (Storage/Wal/FORMAT.md), so
/// every replica holds the leader's time. REQUIRES: the caller already redirected keys this node does
/// not lead (MOVED), as for every other key command.
/// </summary>
internal sealed class RespNodeExpiry : IRespExpiry
{
    private readonly INodeStore _store;

    public RespNodeExpiry(INodeStore store) => _store = store;

    /// <inheritdoc/>
    public Task SetAsync(byte[] key, byte[] value, long expiresAtUnixMs, CancellationToken cancellationToken) =>
        _store.PutAsync(key, value, At(expiresAtUnixMs), cancellationToken);

    /// <inheritdoc/>
    public async Task<long> GetExpiryAsync(byte[] key, CancellationToken cancellationToken)
    {
        ExpiringValue? found = await _store.GetWithExpiryAsync(key, cancellationToken).ConfigureAwait(false);
        return found switch
        {
            null => -2,
            { ExpiresAt: { } at } => at.ToUnixTimeMilliseconds(),
            _ => -1,
        };
    }

    /// <inheritdoc/>
    public Task<bool> SetExpiryAsync(byte[] key, long expiresAtUnixMs, CancellationToken cancellationToken) =>
        _store.SetExpiryAsync(key, At(expiresAtUnixMs), cancellationToken);

    /// <inheritdoc/>
    public async Task<RespValue> UpdateAsync(byte[] key, Func<RespEntry?, long, RespUpdate> updater, CancellationToken cancellationToken)
    {
        UpdateOutcome outcome = await _store.UpdateAsync([key], (current, now) =>
        {
            RespEntry? entry = current[0] is { } found ? new RespEntry(found.Value, found.ExpiresAt?.ToUnixTimeMilliseconds() ?? 0) : null;
            RespUpdate decision = updater(entry, now.ToUnixTimeMilliseconds());
            if (!decision.Write)
            {
                return UpdateDecision.None(decision.Reply);
            }

            return decision.Value is null
                ? UpdateDecision.Delete(key, decision.Reply)
                : UpdateDecision.Put(key, decision.Value, At(decision.ExpiresAtUnixMs), decision.Reply);
        }, cancellationToken).ConfigureAwait(false);
        return (RespValue)outcome.Result!;
    }

    private static DateTimeOffset? At(long unixMs) => unixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs) : null;
}
