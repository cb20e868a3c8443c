using ActorLsm.Protocol;

namespace ActorLsm.Client.Connections;

/// <summary>
/// One request sent on a <see cref="ClientConnection"/> and not yet answered: the task its caller
/// awaits, the response body it expects, its deadline and its cancellation registration.
/// Whoever removes it from the connection's pending table completes it; completion is idempotent.
/// </summary>
internal sealed class PendingRequest : TaskCompletionSource<Response>
{
    private CancellationTokenRegistration _registration;

    public PendingRequest(ClientConnection owner, ulong requestId, Response.BodyOneofCase expected, long deadlineMs)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Owner = owner;
        RequestId = requestId;
        Expected = expected;
        DeadlineMs = deadlineMs;
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

    public void Complete(Response response)
    {
        if (TrySetResult(response))
        {
            _registration.Unregister();
        }
    }

    public void Fail(Exception exception)
    {
        if (TrySetException(exception))
        {
            _registration.Unregister();
        }
    }
}
