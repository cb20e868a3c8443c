using ActorLsm.Protocol;

namespace ActorLsm.Client.Connections;

/// <summary>
/// One request sent on a <see cref="ClientConnection"/> and not yet answered: the task its caller
/// awaits, the response body it expects, its deadline and its cancellation registration.
/// Whoever removes it from the connection's pending table completes it; completion is idempotent.
/// </summary>
/// <remarks>
/// With inline continuations (<see cref="ActorLsmClientOptions.InlineCompletions"/>) the reader's
/// <see cref="Complete"/> and <see cref="Fail"/> run the caller's continuation on the reader itself;
/// completions from anywhere else (timeout sweep, cancellation, a closing connection) go through
/// <see cref="FailDetached"/>, which then hands the continuation to the thread pool, so a timer or a
/// cancelling thread never runs a caller's code. Without inline continuations every completion
/// queues the continuation to the thread pool (TaskCreationOptions.RunContinuationsAsynchronously).
/// </remarks>
internal sealed class PendingRequest : TaskCompletionSource<Response>, IThreadPoolWorkItem
{
    private readonly bool _inline;
    private CancellationTokenRegistration _registration;
    private Exception? _detached;

    public PendingRequest(ClientConnection owner, ulong requestId, Response.BodyOneofCase expected, long deadlineMs, bool inlineContinuations = false)
        : base(inlineContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Owner = owner;
        RequestId = requestId;
        Expected = expected;
        DeadlineMs = deadlineMs;
        _inline = inlineContinuations;
    }

    /// <summary>The connection whose pending table holds this request.</summary>
    public ClientConnection Owner { get; }

    public ulong RequestId { get; }

    /// <summary>The response body a success carries (an <c>error</c> body is always accepted).</summary>
    public Response.BodyOneofCase Expected { get; }

    /// <summary>The <see cref="Environment.TickCount64"/> at which the request times out.</summary>
    public long DeadlineMs { get; }

    /// <summary>Keeps the caller's cancellation registration so completion can drop it.</summary>
    public void SetRegistration(CancellationTokenRegistration registration)
    {
        _registration = registration;
        if (Task.IsCompleted)
        {
            // Completed before the registration was stored: drop it here.
            _registration.Unregister();
        }
    }

    /// <summary>Completes with <paramref name="response"/>. REQUIRES: called by the connection's reader loop.</summary>
    public void Complete(Response response)
    {
        if (TrySetResult(response))
        {
            _registration.Unregister();
        }
    }

    /// <summary>Fails with <paramref name="exception"/>. REQUIRES: called by the connection's reader loop.</summary>
    public void Fail(Exception exception)
    {
        if (TrySetException(exception))
        {
            _registration.Unregister();
        }
    }

    /// <summary>
    /// Fails with <paramref name="exception"/> (cancelled when it is an <see cref="OperationCanceledException"/>)
    /// from any thread; with inline continuations the completion itself is queued to the thread pool.
    /// </summary>
    public void FailDetached(Exception exception)
    {
        if (!_inline)
        {
            FailNow(exception);
            return;
        }

        _detached = exception;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => FailNow(_detached!);

    private void FailNow(Exception exception)
    {
        bool failed = exception is OperationCanceledException cancelled
            ? TrySetCanceled(cancelled.CancellationToken)
            : TrySetException(exception);
        if (failed)
        {
            _registration.Unregister();
        }
    }
}
