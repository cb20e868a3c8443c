using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Versions;
using Akka.Actor;
using ActorLsm.Protocol.Replication;
using ActorLsm.Shards;
using ActorLsm.Shards.Replication;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Hosting.Replication;

/// <summary>
/// Turns the cluster's shard map into replica roles for this node's shards
/// (<see cref="ShardedNode.SetReplicaRole"/>): leader with its followers' shard actors and the
/// in-sync set, follower of the leader, or offline. Runs on every map change; gives a shard a
/// role only when its part of the map changed. Also carries the shards' in-sync proposals to the
/// version manager. Protocol: src/ActorLsm.Cluster/PROTOCOL.md.
/// </summary>
public sealed class ReplicationCoordinator : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IClusterView _view;
    private readonly Func<NodeAddress, string, IActorRef> _refFor;
    private readonly ShardedNode _node;
    private readonly int _minInSync;
    private readonly ILogger _logger;
    private readonly Dictionary<int, string> _sent = [];
    private bool _disposed;

    /// <summary>
    /// Starts following <paramref name="view"/>'s shard map for <paramref name="node"/>;
    /// <paramref name="refFor"/> resolves an actor path on another node; <paramref name="minInSync"/>
    /// is min-insync-replicas (capped per shard by its replica count).
    /// </summary>
    public ReplicationCoordinator(IClusterView view, Func<NodeAddress, string, IActorRef> refFor, ShardedNode node, int minInSync, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(refFor);
        ArgumentNullException.ThrowIfNull(node);
        _view = view;
        _refFor = refFor;
        _node = node;
        _minInSync = Math.Max(1, minInSync);
        _logger = logger;
        _view.Changed += Apply;
        Apply();
    }

    /// <summary>
    /// The shard's in-sync proposal, forwarded to the version manager through <paramref name="view"/>
    /// (node names are remoting <c>host:port</c>). Any thread.
    /// </summary>
    public static void Propose(IClusterView? view, int shard, long leaderEpoch, IReadOnlyList<string> inSync)
    {
        ArgumentNullException.ThrowIfNull(inSync);
        view?.ProposeInSync(new InSyncProposal(shard, leaderEpoch, [.. inSync.Select(NodeAddress.Parse)]));
    }

    /// <summary>The role the map gives this node for shard <paramref name="a"/> (pure; for tests and status).</summary>
    public static ReplicaRole RoleFor(ShardAssignment a, NodeAddress self, int minInSync, Func<NodeAddress, ReplicaPeer> peer)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(peer);
        string me = self.ToString();
        if (a.Available && a.Leader == self)
        {
            int min = Math.Min(minInSync, 1 + a.Followers.Count);
            return new LeaderRole(a.LeaderEpoch, me, [.. a.Followers.Select(peer)], [.. a.InSync.Select(n => n.ToString())], min);
        }

        if (a.Available && a.Leader is not null && a.Followers.Contains(self))
        {
            return new FollowerRole(a.LeaderEpoch, me, a.Leader.ToString());
        }

        return new OfflineRole(a.LeaderEpoch, me);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _view.Changed -= Apply;
    }

    private void Apply()
    {
        lock (_gate)
        {
            if (_disposed || _view.ShardMap is not { } map)
            {
                return;
            }

            NodeAddress self = _view.SelfAddress.Address;
            for (int i = 0; i < map.ShardCount && i < _node.ShardCount; i++)
            {
                ShardAssignment a = map[i];
                string key = $"{a.Available}|{a.Leader}|{a.LeaderEpoch}|{string.Join(",", a.Followers)}|{string.Join(",", a.InSync)}";
                if (_sent.TryGetValue(i, out string? last) && last == key)
                {
                    continue;
                }

                int shard = i;
                ReplicaRole role = RoleFor(a, self, _minInSync, n => new ReplicaPeer(n.ToString(), _refFor(n, ShardedNode.ShardPath(shard))));
                _node.SetReplicaRole(i, role);
                _sent[i] = key;
                _logger.LogDebug("shard {Shard}: role {Role} at epoch {Epoch}", i, role.GetType().Name, role.Epoch);
            }
        }
    }
}
