using ActorLsm.Cluster.Hosting;

namespace ActorLsm.Server.Clustering;

/// <summary>
/// What the server needs of its node's cluster side: the <see cref="ClusterHost"/> API in an
/// interface, so that tests run a server over a fake <see cref="IClusterView"/> without remoting.
/// <see cref="ClusterHostNode"/> is the real one.
/// </summary>
public interface IClusterNode : IAsyncDisposable
{
    /// <summary>The node's view of the cluster (membership, singleton, versions, shard map).</summary>
    IClusterView View { get; }

    /// <summary>Completes when this node is Up (Akka.Cluster's <c>RegisterOnMemberUp</c>).</summary>
    Task WhenUp { get; }

    /// <summary>Completes when this node was downed or removed without leaving and must stop serving.</summary>
    Task WhenDowned { get; }

    /// <summary>Leaves gracefully (Leaving, singleton hand-over, Exiting); completes when the node may stop.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);
}

/// <summary>The real <see cref="IClusterNode"/>: a started <see cref="ClusterHost"/>.</summary>
public sealed class ClusterHostNode : IClusterNode
{
    private readonly ClusterHost _host;

    /// <summary>Wraps <paramref name="host"/>; disposing this disposes it.</summary>
    public ClusterHostNode(ClusterHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
    }

    /// <summary>The started cluster host.</summary>
    public ClusterHost Host => _host;

    /// <inheritdoc/>
    public IClusterView View => _host.View;

    /// <inheritdoc/>
    public Task WhenUp => _host.WhenUp;

    /// <inheritdoc/>
    public Task WhenDowned => _host.WhenDowned;

    /// <inheritdoc/>
    public Task LeaveAsync(CancellationToken cancellationToken) => _host.LeaveAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
