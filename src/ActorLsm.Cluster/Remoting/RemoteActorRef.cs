using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// A ref to an actor on another node (Akka's <c>RemoteActorRef</c>): node address, incarnation uid
/// (0 = whichever incarnation runs there now) and the actor's path on that node. <see cref="Tell"/>
/// serializes the message through the <see cref="MessageRegistry"/> and queues it on the transport
/// without blocking; when the peer's outbound queue is full the message is dropped and counted
/// (<see cref="RemoteSystem.DroppedCount"/>). Throws <see cref="ArgumentException"/> for a message
/// type that is not registered. Equal when address, uid and path are equal, whichever
/// <see cref="RemoteSystem"/> made it, so membership code can compare refs.
/// </summary>
public sealed class RemoteActorRef : IActorRefWithSystem, IEquatable<RemoteActorRef>
{
    private readonly RemoteSystem _remote;

    internal RemoteActorRef(RemoteSystem remote, NodeAddress address, ulong uid, ActorPath path)
    {
        _remote = remote;
        Address = address;
        Uid = uid;
        Path = path;
    }

    /// <summary>The node the actor lives on.</summary>
    public NodeAddress Address { get; }

    /// <summary>The incarnation the messages are meant for; 0 = any (they are delivered to the current one).</summary>
    public ulong Uid { get; }

    /// <inheritdoc/>
    public ActorPath Path { get; }

    /// <summary>The local system of the <see cref="RemoteSystem"/> that made this ref (Ask runs there).</summary>
    public ActorSystem System => _remote.System;

    /// <inheritdoc/>
    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        _remote.SendTo(this, message, sender);
    }

    /// <inheritdoc/>
    public bool Equals(RemoteActorRef? other) =>
        other is not null && Address.Equals(other.Address) && Uid == other.Uid && Path.Equals(other.Path);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RemoteActorRef other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Uid, Path);

    /// <summary><c>Actor[host:port:uid/path]</c>.</summary>
    public override string ToString() => $"Actor[{Address}:{Uid}{Path}]";
}
