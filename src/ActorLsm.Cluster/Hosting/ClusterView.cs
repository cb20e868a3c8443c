using System.Diagnostics;
using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// The node-side cache behind <see cref="IClusterView"/>: membership from Akka.Cluster's events
/// (through the node's <see cref="Singleton.ClusterMemberActor"/>), versions and shard map from the
/// version manager's broadcasts. It rejects broadcasts whose
/// epoch is older than the highest epoch this node accepted or saw (so a superseded singleton
/// cannot move it), versions that would go backwards within an epoch, and maps older by
/// (epoch, version). Where the singleton runs: the sender of the latest accepted broadcast while it
/// is still a member that is Up or Leaving, else the oldest Up member (where Akka's
/// ClusterSingletonManager starts it). Reports and proposals go to the version manager through
/// Akka's <c>ClusterSingletonProxy</c>, which buffers them while no singleton is known.
/// Thread-safe (one lock); <see cref="Changed"/> is raised outside the lock.
/// </summary>
public sealed class ClusterView : IClusterView
{
    private readonly Lock _gate = new();
    private readonly Action<object>? _sendToSingleton;
    private ClusterState _membership = ClusterState.Empty;
    private ClusterVersions _versions = ClusterVersions.None;
    private ShardMap? _shardMap;
    private UniqueAddress? _broadcaster;
    private long _highestEpoch;

    /// <summary>
    /// A view for node <paramref name="self"/>; <paramref name="sendToSingleton"/> delivers
    /// singleton-bound wire messages (reports, replica progress, in-sync proposals) to the version
    /// manager, e.g. through the singleton proxy (null: they are dropped).
    /// </summary>
    public ClusterView(UniqueAddress self, Action<object>? sendToSingleton = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        SelfAddress = self;
        _sendToSingleton = sendToSingleton;
    }

    /// <inheritdoc/>
    public event Action? Changed;

    /// <inheritdoc/>
    public UniqueAddress SelfAddress { get; }

    /// <inheritdoc/>
    public ClusterState Membership
    {
        get
        {
            lock (_gate)
            {
                return _membership;
            }
        }
    }

    /// <inheritdoc/>
    public UniqueAddress? Singleton
    {
        get
        {
            lock (_gate)
            {
                return LocateSingleton();
            }
        }
    }

    /// <inheritdoc/>
    public ClusterVersions Versions
    {
        get
        {
            lock (_gate)
            {
                return _versions;
            }
        }
    }

    /// <inheritdoc/>
    public ShardMap? ShardMap
    {
        get
        {
            lock (_gate)
            {
                return _shardMap;
            }
        }
    }

    /// <summary>The highest singleton epoch this node accepted or saw in an accepted broadcast.</summary>
    public long HighestEpoch
    {
        get
        {
            lock (_gate)
            {
                return _highestEpoch;
            }
        }
    }

    /// <inheritdoc/>
    public void ReportShardVersions(IReadOnlyList<ShardVersionReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count > 0)
        {
            _sendToSingleton?.Invoke(ActorLsm.Cluster.Singleton.SingletonWire.ToMsg(SelfAddress, reports));
        }
    }

    /// <inheritdoc/>
    public void ReportReplicaProgress(IReadOnlyList<ReplicaProgress> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count > 0)
        {
            _sendToSingleton?.Invoke(ActorLsm.Cluster.Singleton.SingletonWire.ToMsg(SelfAddress, [], replicas));
        }
    }

    /// <inheritdoc/>
    public void ProposeInSync(InSyncProposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        _sendToSingleton?.Invoke(ActorLsm.Cluster.Singleton.SingletonWire.ToMsg(SelfAddress, proposal));
    }

    /// <summary>Replaces the membership snapshot.</summary>
    // REQUIRES: state comes from this node's Akka.Cluster events (any thread).
    internal void SetMembership(ClusterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _membership = state;
        }

        Changed?.Invoke();
    }

    /// <summary>Raises the epoch below which broadcasts are rejected (the node accepted <paramref name="epoch"/>).</summary>
    internal void ObserveEpoch(long epoch)
    {
        lock (_gate)
        {
            _highestEpoch = Math.Max(_highestEpoch, epoch);
        }
    }

    /// <summary>
    /// Applies a broadcast unless it is stale: false (and nothing changed) when its epoch is older
    /// than <see cref="HighestEpoch"/>, or it is of the cached versions' epoch with a lower current
    /// (reordered). The versions are taken as sent: the singleton keeps them monotonic.
    /// </summary>
    internal bool TryApply(VersionsBroadcast broadcast)
    {
        ArgumentNullException.ThrowIfNull(broadcast);
        bool changed;
        lock (_gate)
        {
            if (broadcast.Epoch < _highestEpoch || (broadcast.Epoch == _versions.Epoch && broadcast.Current < _versions.Current))
            {
                return false;
            }

            _highestEpoch = broadcast.Epoch;
            UniqueAddress from = broadcast.From.FromMsg();
            changed = !from.Equals(_broadcaster);
            _broadcaster = from;
            var v = new ClusterVersions(broadcast.Current, broadcast.Completed, broadcast.Flushed, broadcast.Epoch);
            if (v != _versions)
            {
                _versions = v;
                changed = true;
            }

            if (broadcast.ShardMap is not null)
            {
                ShardMap map = broadcast.ShardMap.FromMsg();
                if (_shardMap is null || map.Epoch > _shardMap.Epoch || (map.Epoch == _shardMap.Epoch && map.Version >= _shardMap.Version))
                {
                    changed |= _shardMap is null || !SameMap(_shardMap, map);
                    _shardMap = map;
                }
            }

            AssertInvariants();
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return true;
    }

    private static bool SameMap(ShardMap a, ShardMap b) =>
        a.Version == b.Version && a.Epoch == b.Epoch && a.Shards.SequenceEqual(b.Shards, ShardAssignmentComparer.Instance);

    // REQUIRES: _gate held.
    private UniqueAddress? LocateSingleton()
    {
        if (_broadcaster is not null && _membership.Members.Any(m => m.UniqueAddress.Equals(_broadcaster) && m.Status is MemberStatus.Up or MemberStatus.Leaving))
        {
            return _broadcaster;
        }

        Member? oldest = null;
        foreach (Member m in _membership.Members)
        {
            if (m.Status == MemberStatus.Up && (oldest is null || m.IsOlderThan(oldest)))
            {
                oldest = m;
            }
        }

        return oldest?.UniqueAddress;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_versions.Epoch <= _highestEpoch, "the cached versions never come from an epoch above the highest seen");

    private sealed class ShardAssignmentComparer : IEqualityComparer<ShardAssignment>
    {
        public static ShardAssignmentComparer Instance { get; } = new();

        public bool Equals(ShardAssignment? x, ShardAssignment? y) =>
            x is not null && y is not null && x.Id == y.Id && Equals(x.Leader, y.Leader) && x.LeaderEndpoint == y.LeaderEndpoint
            && x.LeaderEpoch == y.LeaderEpoch && x.Available == y.Available && x.LastSequence == y.LastSequence
            && x.Followers.SequenceEqual(y.Followers) && x.InSync.SequenceEqual(y.InSync);

        public int GetHashCode(ShardAssignment obj) => obj.Id;
    }
}
