namespace ActorLsm.Kernel;

/// <summary>
/// Request/response over Tell (Akka.NET's <c>Ask</c>): a temporary reply ref at <c>/temp/ask-n</c> is the
/// Sender of the request; the first reply completes the task.
/// </summary>
public static class AskExtensions
{
    private static readonly TimeProviderScheduler s_fallbackScheduler = new();
    private static long s_foreignCounter;

    /// <summary>
    /// Sends <paramref name="message"/> and awaits one reply of type <typeparamref name="T"/>.
    /// <paramref name="timeout"/> (> 0) runs on the target system's <see cref="IScheduler"/> (so on virtual time in tests).
    /// Faults with <see cref="AskTimeoutException"/> on timeout, with the cause for a <see cref="Status.Failure"/>
    /// reply, <see cref="InvalidCastException"/> for a reply of another type, <see cref="MailboxFullException"/>
    /// when the target's mailbox refuses the request; cancelled by <paramref name="cancellationToken"/>.
    /// </summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var system = target.AsInternal()?.System ?? (target as IActorRefWithSystem)?.System;
        var scheduler = system?.Scheduler ?? s_fallbackScheduler;
        var path = system?.NewTempPath("ask") ?? ActorPath.Root / "temp" / ("ask-" + Interlocked.Increment(ref s_foreignCounter).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var promise = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new FunctionRef(path, system, (answer, _) => Complete(promise, answer));
        var timer = scheduler.ScheduleOnce(timeout, () => promise.TrySetException(new AskTimeoutException(
            $"Ask of {target.Path} timed out after {timeout.TotalMilliseconds} ms waiting for {typeof(T).Name} (request {message.GetType().Name}).")));
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() => promise.TrySetCanceled(cancellationToken))
            : default;
        _ = promise.Task.ContinueWith(
            _ =>
            {
                timer.Cancel();
                registration.Dispose();
                reply.Stop();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            target.Tell(message, reply);
        }
#pragma warning disable CA1031 // Delivered through the task instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            promise.TrySetException(ex);
        }

        return promise.Task;
    }

    /// <summary>As <see cref="Ask{T}(IActorRef, object, TimeSpan, CancellationToken)"/> with <see cref="ActorSystemOptions.DefaultAskTimeout"/>.</summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var timeout = (target.AsInternal()?.System ?? (target as IActorRefWithSystem)?.System)?.Options.DefaultAskTimeout ?? TimeSpan.FromSeconds(5);
        return target.Ask<T>(message, timeout, cancellationToken);
    }

    private static void Complete<T>(TaskCompletionSource<T> promise, object answer)
    {
        switch (answer)
        {
            case T typed:
                promise.TrySetResult(typed);
                break;
            case Status.Failure failure:
                promise.TrySetException(failure.Cause);
                break;
            default:
                promise.TrySetException(new InvalidCastException(
                    $"Ask expected a reply of type {typeof(T).Name} but got {answer.GetType().Name}."));
                break;
        }
    }
}
