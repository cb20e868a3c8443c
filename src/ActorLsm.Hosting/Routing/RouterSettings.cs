using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster;
using ActorLsm.Shards;
using Akka.Actor;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// What a data member's router needs: its shards, and in a cluster the view (shard map) and a way to
/// reach the router of another member. <see cref="View"/> null = a single node serving every shard.
/// </summary>
/// <param name="Node">This member's shards.</param>
/// <param name="View">The cluster view; null on a single node.</param>
/// <param name="RemoteRouter">The router of another member (same actor path, resolved by the provider); null on a single node.</param>
/// <param name="MaxScanLimit">The node's max-scan-limit (a scan's limit 0 means this).</param>
/// <param name="Retries">Attempts while a shard has no available leader before UNAVAILABLE.</param>
/// <param name="Backoff">First delay between attempts; doubles per attempt, up to 1 s.</param>
/// <param name="RequestTimeout">How long a scatter (scan, batch over members) waits for its parts.</param>
internal sealed record RouterSettings(
    ShardedNode Node,
    IClusterView? View,
    Func<NodeAddress, IActorRef>? RemoteRouter,
    int MaxScanLimit,
    int Retries,
    TimeSpan Backoff,
    TimeSpan RequestTimeout)
{
    /// <summary>Key and value bytes a write sent to another member may carry (<see cref="RemoteRequestLimit"/>); unbounded by default.</summary>
    public long MaxRemoteRequestBytes { get; init; } = long.MaxValue;
}
