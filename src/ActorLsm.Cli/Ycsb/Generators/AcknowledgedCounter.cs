using System.Diagnostics;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// The run phase's insert key numbers: <see cref="Next"/> hands out consecutive numbers from a
/// start to concurrent workers; <see cref="Acknowledge"/> marks one finished; <see cref="LastValue"/>
/// is the highest number below which every number is acknowledged, so reads only target keys
/// whose insert completed even when inserts finish out of order (YCSB's
/// AcknowledgedCounterGenerator plays this role). Thread-safe.
/// </summary>
internal sealed class AcknowledgedCounter
{
    private readonly object _lock = new();
    private readonly HashSet<long> _early = [];
    private long _next;
    private long _limit;

    /// <summary>Numbers start at <paramref name="start"/>; <see cref="LastValue"/> starts at start - 1 (everything before is taken as inserted).</summary>
    public AcknowledgedCounter(long start)
    {
        _next = start;
        _limit = start - 1;
    }

    /// <summary>Highest number N such that every number up to N is acknowledged.</summary>
    public long LastValue => Volatile.Read(ref _limit);

    /// <summary>The next unused number.</summary>
    public long Next() => Interlocked.Increment(ref _next) - 1;

    /// <summary>Marks <paramref name="value"/> (obtained from <see cref="Next"/>) as done.</summary>
    public void Acknowledge(long value)
    {
        lock (_lock)
        {
            if (value != _limit + 1)
            {
                if (value > _limit)
                {
                    _early.Add(value);
                }

                return;
            }

            long limit = value;
            while (_early.Remove(limit + 1))
            {
                limit++;
            }

            Volatile.Write(ref _limit, limit);
            AssertInvariants();
        }
    }

    // REQUIRES: _lock held.
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_limit < Volatile.Read(ref _next), "only handed-out numbers are acknowledged");
        Debug.Assert(!_early.Contains(_limit + 1), "the contiguous prefix is fully absorbed");
    }
}
