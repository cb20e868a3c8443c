using Akka.Actor;

namespace ActorLsm.Shards.Replies;

/// <summary>
/// A reply address backed by a task, for Akka (<see cref="MinimalActorRef"/>): the shard actor
/// answers it with <c>Sender.Tell(reply)</c> like any actor, and the first reply completes the
/// task (a <typeparamref name="T"/> as the result, a <see cref="Status.Failure"/> as its
/// exception). Cheaper than Akka's Ask, which registers a temporary actor path and a timer per
/// request; the caller puts its own timeout (<see cref="ReplyDeadlines"/>). Continuations run
/// asynchronously, never on the replying actor's thread, unless the promise was made inline
/// (<see cref="ShardedNodeOptions.InlineReplyContinuations"/>): then they run on it. Local replies
/// only: the ref is not registered with the provider, so it cannot be resolved from another node.
/// </summary>
internal sealed class PromiseRef<T> : MinimalActorRef, IExpirable
{
    private readonly TaskCompletionSource<T> _promise;
    private readonly ReplyAddress _address;
    private readonly int _shard;
    private readonly Type _request;

    /// <param name="address">The node's shared reply address (provider and path).</param>
    /// <param name="shard">The shard asked, for the timeout message.</param>
    /// <param name="request">The request's type, for the timeout message.</param>
    /// <param name="inline">Run the task's continuations on the replying thread (short, non-blocking continuations only).</param>
    public PromiseRef(ReplyAddress address, int shard, Type request, bool inline = false)
    {
        _promise = new TaskCompletionSource<T>(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        _address = address;
        _shard = shard;
        _request = request;
    }

    /// <summary>Completes with the reply, or fails with the reply's failure, a timeout or a cancellation.</summary>
    public Task<T> Task => _promise.Task;

    /// <summary>Every promise of a node shares one path under <c>/temp</c>: it is a reply address, never a watch target.</summary>
    public override ActorPath Path => _address.Path;

    /// <inheritdoc/>
    public override IActorRefProvider Provider => _address.Provider;

    /// <inheritdoc/>
    public void Expire(TimeSpan timeout) =>
        _promise.TrySetException(new TimeoutException($"shard {_shard} did not answer {_request.Name} within {timeout}"));

    /// <summary>Cancels the wait (the request itself may still be served).</summary>
    public void TrySetCanceled(CancellationToken token) => _promise.TrySetCanceled(token);

    /// <inheritdoc/>
    protected override void TellInternal(object message, IActorRef sender)
    {
        switch (message)
        {
            case T result:
                _promise.TrySetResult(result);
                break;
            case Status.Failure failure:
                _promise.TrySetException(failure.Cause);
                break;
            default:
                _promise.TrySetException(new InvalidCastException($"expected a reply of type {typeof(T).Name} but got {message.GetType().Name}"));
                break;
        }
    }
}

/// <summary>The provider and the shared <c>/temp</c> path of a node's <see cref="PromiseRef{T}"/>s. Immutable.</summary>
internal sealed class ReplyAddress
{
    public ReplyAddress(ActorSystem system, string routerName)
    {
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = Provider.TempContainer.Path / (routerName + "-reply");
    }

    public IActorRefProvider Provider { get; }

    public ActorPath Path { get; }
}
