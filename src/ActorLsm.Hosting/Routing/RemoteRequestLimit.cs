using ActorLsm.Cluster.Sharding;
using ActorLsm.Messages;
using ActorLsm.Protocol;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// The largest write a router sends to another member. Akka.Remote drops a message larger than
/// its frame limit (<see cref="RemoteFrameLimit"/>) with an error in the sender's log only, so the
/// caller would wait out its whole timeout without knowing the outcome. A <see cref="Put"/> or
/// <see cref="WriteBatch"/> part whose keys and values together exceed
/// <see cref="RemoteFrameLimit.PayloadLimit"/> is therefore answered INVALID_ARGUMENT before it is
/// sent, and nothing is written. Replicated WAL records do not need this: they travel in
/// pieces (src/ActorLsm.Cluster/PROTOCOL.md, R14).
/// </summary>
internal static class RemoteRequestLimit
{
    /// <summary>Key and value bytes of <paramref name="operations"/>.</summary>
    public static long PayloadBytes(IEnumerable<WriteOp> operations)
    {
        long bytes = 0;
        foreach (WriteOp op in operations)
        {
            bytes += (op.Key?.Length ?? 0) + (op.Value?.Length ?? 0);
        }

        return bytes;
    }

    /// <summary>Key and value bytes of <paramref name="request"/>: a Put's key and value, a batch's operations, other requests' key (0 for none).</summary>
    public static long PayloadBytes(IActorLsmRequest request) => request switch
    {
        Put put => (put.Key?.Length ?? 0) + (long)(put.Value?.Length ?? 0),
        WriteBatch batch => batch.Operations is null ? 0 : PayloadBytes(batch.Operations),
        IKeyedRequest keyed => keyed.Key?.Length ?? 0,
        _ => 0,
    };

    /// <summary>The INVALID_ARGUMENT reply for a request of <paramref name="bytes"/> over <paramref name="limit"/>.</summary>
    public static ActorLsmError TooLarge(long bytes, long limit, long correlationId) => new(
        ErrorCode.InvalidArgument,
        $"the request carries {bytes} bytes of keys and values for another member, more than {limit} ({RemoteFrameLimit.Key} less {RemoteFrameLimit.Margin} bytes for framing); nothing was written",
        correlationId);
}
