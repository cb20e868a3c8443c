using System.Diagnostics;

namespace ActorLsm.Persistence.Layout;

/// <summary>
/// The writer's hybrid logical clock of FORMAT.md "Ordering": (ms since 2020-01-01Z) &lt;&lt; 21 | salt &lt;&lt; 12 |
/// counter, strictly increasing per instance. Thread-safe.
/// </summary>
internal sealed class OrderingClock
{
    private const int CounterBits = 12;
    private const int SaltBits = 9;
    private static readonly long s_epochMs = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly Func<long> _nowUnixMs;
    private readonly ulong _salt;
    private readonly Lock _lock = new();
    private long _ms;
    private int _counter;

    /// <param name="salt">This writer's salt (0 .. 511); null draws one at random.</param>
    /// <param name="nowUnixMs">The wall clock in Unix milliseconds; null uses the system clock.</param>
    public OrderingClock(int? salt = null, Func<long>? nowUnixMs = null)
    {
        _salt = (ulong)(salt ?? Random.Shared.Next(1 << SaltBits)) & ((1UL << SaltBits) - 1);
        _nowUnixMs = nowUnixMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>The next ordering: greater than every one this instance returned before.</summary>
    public ulong Next()
    {
        lock (_lock)
        {
            long now = Math.Max(0, _nowUnixMs() - s_epochMs);
            if (now > _ms)
            {
                _ms = now;
                _counter = 0;
            }
            else if (++_counter >= 1 << CounterBits)
            {
                _ms++;
                _counter = 0;
            }

            AssertInvariants();
            return ((ulong)_ms << (CounterBits + SaltBits)) | (_salt << CounterBits) | (uint)_counter;
        }
    }

    /// <summary>The smallest ordering any writer can produce at or after <paramref name="time"/> (for time-based query starts).</summary>
    public static ulong LowestAt(DateTimeOffset time) =>
        (ulong)Math.Max(0, time.ToUnixTimeMilliseconds() - s_epochMs) << (CounterBits + SaltBits);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_counter is >= 0 and < 1 << CounterBits, "counter within its bits");
        Debug.Assert(_ms < 1L << 42, "milliseconds within 42 bits");
    }
}
