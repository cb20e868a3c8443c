using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorLsm.Shards.Replies;

/// <summary>A reply that can be failed when its deadline passes.</summary>
internal interface IExpirable
{
    /// <summary>Fails the reply with <see cref="TimeoutException"/> unless it already completed.</summary>
    void Expire(TimeSpan timeout);
}

/// <summary>
/// Request timeouts for the node without a timer per request: outstanding replies sit in a
/// concurrent set with their deadline, and one periodic sweep (every quarter of the timeout,
/// between 10 ms and 1 s) fails the expired ones. A reply may thus fail up to a quarter timeout
/// late. Thread-safe.
/// </summary>
internal sealed class ReplyDeadlines : IDisposable
{
    private readonly ConcurrentDictionary<IExpirable, long> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly TimeSpan _timeout;
    private readonly long _timeoutMs;
    private readonly Timer _sweeper;

    public ReplyDeadlines(TimeSpan timeout)
    {
        _timeout = timeout;
        _timeoutMs = (long)Math.Ceiling(timeout.TotalMilliseconds);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _sweeper = new Timer(static s => ((ReplyDeadlines)s!).Sweep(), this, period, period);
    }

    /// <summary>Starts the clock of <paramref name="reply"/>. REQUIRES: paired with <see cref="Forget"/>.</summary>
    public void Track(IExpirable reply) => _pending[reply] = Environment.TickCount64 + _timeoutMs;

    /// <summary>The reply completed (or was abandoned): stop tracking it.</summary>
    public void Forget(IExpirable reply) => _pending.TryRemove(reply, out _);

    public void Dispose() => _sweeper.Dispose();

    private void Sweep()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<IExpirable, long> entry in _pending)
        {
            if (entry.Value <= now && _pending.TryRemove(entry.Key, out _))
            {
                entry.Key.Expire(_timeout);
            }
        }

        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_timeoutMs > 0, "a positive timeout");
}
