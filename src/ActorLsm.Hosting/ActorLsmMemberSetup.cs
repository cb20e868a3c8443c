using ActorLsm.Shards;

namespace ActorLsm.Hosting;

/// <summary>
/// What the node executable (<c>actorlsm-server</c>, itself an Akka.Hosting application) adds to
/// <see cref="ActorLsmHostingExtensions.WithActorLsm"/> (through <see cref="ActorLsmHostingExtensions.WithActorLsmMember"/>):
/// the same member, started by the same code (<see cref="ActorLsmMember"/>), with the shards' options the
/// server has already bound and validated from its HOCON, a published client endpoint, and the start's
/// outcome handed to the server instead of failing Akka.Hosting's start. <see cref="Default"/> is plain WithActorLsm.
/// </summary>
internal sealed record ActorLsmMemberSetup
{
    /// <summary>Plain WithActorLsm: options from <c>actorlsm.node.*</c>, no client endpoint, start errors fail the host's start.</summary>
    public static ActorLsmMemberSetup Default { get; } = new();

    /// <summary>
    /// The shards' options (the server's: every <c>actorlsm.node.*</c> and <c>actorlsm.storage.*</c> key, bound
    /// and range-checked with file, line and key in its errors); null: read <c>actorlsm.node.*</c> from the
    /// system's config. Replication options are added by the member in cluster mode either way.
    /// </summary>
    public ShardedNodeOptions? Node { get; init; }

    /// <summary>
    /// <c>host:port</c> clients reach this member on, published as the member role
    /// <c>actorlsm-endpoint:HOST:PORT</c> (the system's config must hold that role: <c>ClusterHost.ComposeConfig</c>);
    /// empty: no endpoint (an application member).
    /// </summary>
    public string ClientEndpoint { get; init; } = string.Empty;

    /// <summary>
    /// True (WithActorLsm): coordinated shutdown stops the member (phase before-actor-system-terminate).
    /// False: the caller stops it (<see cref="ActorLsmMember.StopAsync"/>). actorlsm-server does, after it has
    /// stopped accepting and drained its clients' requests, because Akka runs coordinated shutdown as soon as
    /// a leaving member is Exiting, while the server still serves (it leaves first, then stops its listeners).
    /// </summary>
    public bool StopOnCoordinatedShutdown { get; init; } = true;

    /// <summary>
    /// When set, told the started member (exception null) or why the start failed (member null; what was
    /// started is stopped again), and a failed start does not fail Akka.Hosting's start: the server fails its
    /// own start with the exception, before its listeners bind and without Akka.Hosting's console dump.
    /// Null (WithActorLsm): a failed start fails the host's start.
    /// </summary>
    public Action<ActorLsmMember?, Exception?>? Started { get; init; }
}
