namespace ActorLsm.Kernel;

/// <summary>
/// A handle to an actor: the only way to talk to it. Thread-safe, cheap to copy, valid after the actor
/// stopped (messages then go to dead letters). Name and shape from Akka.NET's <c>IActorRef</c>.
/// </summary>
public interface IActorRef
{
    /// <summary>Where the actor lives, e.g. <c>/user/shards/shard-07</c>.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Enqueues <paramref name="message"/> (non-null) for the actor and returns at once; the actor sees
    /// <paramref name="sender"/> as its <c>Sender</c> (null: <see cref="ActorSystem.DeadLetters"/>).
    /// Never blocks. When the recipient's bounded mailbox is full the message is dropped to dead letters
    /// (<see cref="MailboxOverflow.DropNewest"/>, the default) or <see cref="MailboxFullException"/> is
    /// thrown (<see cref="MailboxOverflow.Fail"/>). Messages from one sender to one recipient keep their order.
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>
/// Implemented by refs that are not kernel refs yet belong to a local <see cref="ActorSystem"/> (remoting's
/// <c>RemoteActorRef</c>), so <see cref="AskExtensions.Ask{T}(IActorRef, object, TimeSpan, CancellationToken)"/>
/// runs its timeout on that system's scheduler and makes its reply ref resolvable there (a remote reply finds it).
/// Like the provider link of Akka.NET's remote refs.
/// </summary>
public interface IActorRefWithSystem : IActorRef
{
    /// <summary>The local system this ref was made by.</summary>
    ActorSystem System { get; }
}
