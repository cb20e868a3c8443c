namespace ActorLsm.Cli.Ycsb;

/// <summary>Integers drawn uniformly from [<c>lower</c>, <c>upper</c>], both inclusive.</summary>
internal sealed class UniformGenerator : INumberGenerator
{
    private readonly long _lower;
    private readonly long _count;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="upper"/> &lt; <paramref name="lower"/>.</exception>
    public UniformGenerator(long lower, long upper)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(upper, lower);
        _lower = lower;
        _count = upper - lower + 1;
    }

    public long Next(Random random) => _lower + random.NextInt64(_count);
}
