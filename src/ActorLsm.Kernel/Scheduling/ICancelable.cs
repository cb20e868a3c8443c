namespace ActorLsm.Kernel;

/// <summary>
/// Handle to a scheduled action (Akka.NET's <c>ICancelable</c>). <see cref="Cancel"/> is idempotent and
/// thread-safe; an action already running when cancelled completes, a pending one never runs.
/// </summary>
public interface ICancelable
{
    /// <summary>True once <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }

    /// <summary>Prevents future runs of the action.</summary>
    void Cancel();
}
