using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Hosting;

/// <summary>
/// One node's cluster side: remoting, membership (gossip, failure detector, split-brain
/// resolver), the singleton manager hosting the version manager on the oldest member, and the
/// <see cref="IClusterView"/> the server reads. Start with <see cref="StartAsync"/>; leave
/// gracefully with <see cref="LeaveAsync"/>; <see cref="DisposeAsync"/> stops without leaving
/// (peers see a crash).
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    private ClusterHost()
    {
    }

    /// <summary>This node's incarnation (after the transport bound).</summary>
    public UniqueAddress SelfAddress => throw new NotSupportedException("contract stub");

    /// <summary>The node's view of the cluster.</summary>
    public IClusterView View => throw new NotSupportedException("contract stub");

    /// <summary>Completes when this node is Up.</summary>
    public Task WhenUp => throw new NotSupportedException("contract stub");

    /// <summary>
    /// Completes when this node must stop serving without having left: it downed itself (minority
    /// side of a partition) or was marked down or removed by others.
    /// </summary>
    public Task WhenDowned => throw new NotSupportedException("contract stub");

    /// <summary>Binds the transport, starts the cluster actors in <paramref name="system"/> and starts joining the seed nodes.</summary>
    public static Task<ClusterHost> StartAsync(ActorSystem system, ClusterHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        throw new NotSupportedException("contract stub");
    }

    /// <summary>
    /// Leaves gracefully: Leaving, singleton hand-over if this node runs it, Exiting; completes
    /// when the node may stop.
    /// </summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("contract stub");

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
