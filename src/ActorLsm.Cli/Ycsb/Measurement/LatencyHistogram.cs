using System.Diagnostics;
using System.Numerics;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// Latencies in microseconds in log-linear buckets, in the spirit of HdrHistogram: values below
/// 256 each have their own bucket; above, every power-of-two range is split into 128 equal
/// buckets, so a reported percentile is within 1/128 (0.8%) of the true value. Count, sum,
/// minimum and maximum are exact. Not thread-safe: each worker keeps its own and
/// <see cref="Add"/>s them together at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits; // 128
    private const int LinearLimit = SubBuckets * 2; // 256: values below are exact
    private const int BucketCount = LinearLimit + ((63 - SubBucketBits - 1) * SubBuckets);

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Sum { get; private set; }

    /// <summary>Smallest recorded value; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : _min;

    /// <summary>Largest recorded value; 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>Mean of the recorded values; 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    private long _min = long.MaxValue;

    /// <summary>Records one value (negative values count as 0).</summary>
    public void Record(long micros)
    {
        long value = Math.Max(0, micros);
        _counts[IndexOf(value)]++;
        Count++;
        Sum += value;
        _min = Math.Min(_min, value);
        Max = Math.Max(Max, value);
        AssertInvariants();
    }

    /// <summary>Adds every value recorded in <paramref name="other"/>.</summary>
    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        _min = Math.Min(_min, other._min);
        Max = Math.Max(Max, other.Max);
        AssertInvariants();
    }

    /// <summary>
    /// The value at percentile <paramref name="percentile"/> (0..100]: the upper edge of the
    /// bucket holding the ⌈p/100 × Count⌉-th smallest value, capped at <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Clamp((long)Math.Ceiling(percentile / 100.0 * Count), 1, Count);
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value); // >= 8
        int shift = msb - SubBucketBits; // >= 1
        int sub = (int)(value >> shift); // [128, 255]
        return LinearLimit + ((shift - 1) * SubBuckets) + (sub - SubBuckets);
    }

    internal static long UpperEdge(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        int shift = ((index - LinearLimit) / SubBuckets) + 1;
        long sub = ((index - LinearLimit) % SubBuckets) + SubBuckets;
        return ((sub + 1) << shift) - 1;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Count == 0 || (_min <= Max && Sum >= 0), "min <= max and a non-negative sum");
    }
}
