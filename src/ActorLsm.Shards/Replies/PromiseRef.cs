using ActorLsm.Kernel;

namespace ActorLsm.Shards.Replies;

/// <summary>
/// A reply address backed by a task: the shard actor answers it with <c>Sender.Tell(reply)</c>
/// like any actor, and the first reply completes the task (a <typeparamref name="T"/> as the
/// result, a <see cref="Status.Failure"/> as its exception). Cheaper than the kernel's Ask,
/// which allocates a temporary actor, a timer and a continuation per request; the caller puts
/// its own timeout (<see cref="ReplyDeadlines"/>). Continuations run
/// asynchronously, never on the replying actor's thread.
/// </summary>
internal sealed class PromiseRef<T> : TaskCompletionSource<T>, IActorRef, IExpirable
{
    private static readonly ActorPath s_path = ActorPath.Root / "temp" / "node-reply";

    private readonly int _shard;
    private readonly Type _request;

    /// <param name="shard">The shard asked, for the timeout message.</param>
    /// <param name="request">The request's type, for the timeout message.</param>
    public PromiseRef(int shard, Type request)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _shard = shard;
        _request = request;
    }

    /// <summary>Every promise shares one path under <c>/temp</c>: it is a reply address, never a watch target.</summary>
    public ActorPath Path => s_path;

    /// <inheritdoc/>
    public void Expire(TimeSpan timeout) =>
        TrySetException(new TimeoutException($"shard {_shard} did not answer {_request.Name} within {timeout}"));

    /// <inheritdoc/>
    public void Tell(object message, IActorRef? sender = null)
    {
        switch (message)
        {
            case T result:
                TrySetResult(result);
                break;
            case Status.Failure failure:
                TrySetException(failure.Cause);
                break;
            default:
                TrySetException(new InvalidCastException($"expected a reply of type {typeof(T).Name} but got {message.GetType().Name}"));
                break;
        }
    }
}
