using System.Diagnostics;
using Akka.Actor;

namespace ActorLsm.Persistence.Query;

/// <summary>
/// One step of <see cref="QueryWakeup"/>'s chain: completed when the next matching
/// <see cref="JournalWritten"/> arrives, which it then carries, with the step after it in
/// <see cref="Next"/>. A query keeps the step it last saw; walking <see cref="Next"/> from it yields every
/// notification since, and awaiting <see cref="Completed"/> on it cannot miss one published between its
/// read and its wait.
/// </summary>
internal sealed class WakeStep
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when this step has its notification.</summary>
    public Task Completed => _completed.Task;

    /// <summary>The notification; null until <see cref="Completed"/>.</summary>
    public JournalWritten? Written { get; private set; }

    /// <summary>The following step; null until <see cref="Completed"/>.</summary>
    public WakeStep? Next { get; private set; }

    /// <summary>REQUIRES: called once, by the listener only. Fills this step and returns the next one.</summary>
    public WakeStep Complete(JournalWritten written)
    {
        Debug.Assert(Written is null, "a step completes once");
        Written = written;
        Next = new WakeStep();
        _completed.SetResult();
        return Next;
    }
}

/// <summary>
/// Wakes the live queries of one read journal when the journal of the same ActorSystem has stored events:
/// a listener actor subscribes to <see cref="JournalWritten"/> on the EventStream and advances a chain of
/// <see cref="WakeStep"/>s. Thread-safe.
/// </summary>
internal sealed class QueryWakeup
{
    private volatile WakeStep _current = new();

    /// <summary>Subscribes a listener in <paramref name="system"/> for notifications of journals with <paramref name="keyPrefix"/>.</summary>
    public QueryWakeup(ExtendedActorSystem system, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(system);
        IActorRef listener = system.SystemActorOf(WakeupListener.Props(this, keyPrefix), "actorlsm-query-wakeup-" + Guid.NewGuid().ToString("N")[..8]);
        system.EventStream.Subscribe(listener, typeof(JournalWritten));
    }

    /// <summary>The newest step: not yet completed.</summary>
    public WakeStep Current => _current;

    /// <summary>
    /// Waits until <paramref name="seen"/> completes or <paramref name="refreshInterval"/> passes; then returns the
    /// notifications since <paramref name="seen"/> and the newest step (empty notifications on a timeout).
    /// </summary>
    public static async Task<(IReadOnlyList<JournalWritten> Written, WakeStep Newest)> WaitAsync(WakeStep seen, TimeSpan refreshInterval)
    {
        try
        {
            await seen.Completed.WaitAsync(refreshInterval).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ([], seen);
        }

        var written = new List<JournalWritten>();
        WakeStep step = seen;
        while (step.Completed.IsCompleted)
        {
            written.Add(step.Written!);
            step = step.Next!;
        }

        return (written, step);
    }

    private void Publish(JournalWritten written) => _current = _current.Complete(written);

    /// <summary>Receives <see cref="JournalWritten"/> from the EventStream and advances the chain.</summary>
    private sealed class WakeupListener : ReceiveActor
    {
        public WakeupListener(QueryWakeup wakeup, string keyPrefix) =>
            Receive<JournalWritten>(w =>
            {
                if (w.KeyPrefix == keyPrefix)
                {
                    wakeup.Publish(w);
                }
            });

        public static Props Props(QueryWakeup wakeup, string keyPrefix) => Akka.Actor.Props.Create(() => new WakeupListener(wakeup, keyPrefix));
    }
}
