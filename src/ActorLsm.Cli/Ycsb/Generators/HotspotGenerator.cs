namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// YCSB's hotspot distribution over [<c>lower</c>, <c>upper</c>]: the first
/// <c>hotspotdatafraction</c> of the range is the hot set and receives
/// <c>hotspotopnfraction</c> of the draws, uniformly within it; the rest go uniformly to the
/// cold remainder.
/// </summary>
internal sealed class HotspotGenerator : INumberGenerator
{
    private readonly long _lower;
    private readonly long _hotCount;
    private readonly long _coldCount;
    private readonly double _hotOperationFraction;

    /// <exception cref="ArgumentOutOfRangeException">An empty range or a fraction outside [0, 1].</exception>
    public HotspotGenerator(long lower, long upper, double hotDataFraction, double hotOperationFraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(upper, lower);
        ArgumentOutOfRangeException.ThrowIfLessThan(hotDataFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hotDataFraction, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(hotOperationFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hotOperationFraction, 1.0);
        long count = upper - lower + 1;
        _lower = lower;
        _hotCount = (long)(count * hotDataFraction);
        _coldCount = count - _hotCount;
        _hotOperationFraction = hotOperationFraction;
    }

    public long Next(Random random)
    {
        bool hot = _coldCount == 0 || (_hotCount > 0 && random.NextDouble() < _hotOperationFraction);
        return hot
            ? _lower + random.NextInt64(_hotCount)
            : _lower + _hotCount + random.NextInt64(_coldCount);
    }
}
