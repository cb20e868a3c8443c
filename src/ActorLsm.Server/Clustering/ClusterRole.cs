using ActorLsm.Hosting.Ownership;

namespace ActorLsm.Server.Clustering;

/// <summary>
/// The node's role as the request dispatcher sees it: single node (serves every shard), or cluster
/// member (serves the shards the shard map gives it, once the cluster side has started).
/// Thread-safe: set once at start by the server, read by every request.
/// </summary>
public sealed class ClusterRole
{
    private volatile ShardOwnership? _ownership;
    private volatile string _self = string.Empty;
    private readonly TaskCompletionSource _leaveRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A role; <paramref name="clustered"/> false for a single node.</summary>
    public ClusterRole(bool clustered)
    {
        Clustered = clustered;
    }

    /// <summary>True in cluster mode.</summary>
    public bool Clustered { get; }

    /// <summary>The shard gate; null in single-node mode and, in cluster mode, until the cluster side has started (requests then get UNAVAILABLE).</summary>
    public ShardOwnership? Ownership
    {
        get => _ownership;
        set => _ownership = value;
    }

    /// <summary>This node's name in status answers: its client endpoint (single node) set when bound.</summary>
    public string Self
    {
        get => _self;
        set => _self = value;
    }

    /// <summary>Completes when a client sent a LeaveRequest.</summary>
    public Task LeaveRequested => _leaveRequested.Task;

    /// <summary>Records a client's LeaveRequest (idempotent).</summary>
    public void RequestLeave() => _leaveRequested.TrySetResult();
}
