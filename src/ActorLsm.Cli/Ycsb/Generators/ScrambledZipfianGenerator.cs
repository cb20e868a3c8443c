namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// YCSB's scrambled Zipfian: a Zipfian (θ = 0.99) draw over a large fixed item space of 10^10
/// items, hashed with <see cref="KeyNames.FnvHash64"/> and reduced modulo the range size, so the
/// popular items are spread over [<c>min</c>, <c>max</c>] instead of clustered at its start. Only
/// ζ(10^10, 0.99) is needed, computed once by <see cref="Zeta.Approximate"/>.
/// </summary>
internal sealed class ScrambledZipfianGenerator : INumberGenerator
{
    /// <summary>Size of the underlying Zipfian item space (YCSB's choice).</summary>
    public const long ItemSpace = 10_000_000_000L;

    private static readonly Lazy<ZipfianGenerator> s_space = new(
        () => new ZipfianGenerator(0, ItemSpace - 1, ZipfianGenerator.DefaultTheta, Zeta.Approximate(ItemSpace, ZipfianGenerator.DefaultTheta)));

    private readonly long _min;
    private readonly long _count;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> &lt; <paramref name="min"/>.</exception>
    public ScrambledZipfianGenerator(long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        _min = min;
        _count = max - min + 1;
    }

    public long Next(Random random) => _min + (KeyNames.FnvHash64(s_space.Value.Next(random)) % _count);
}
