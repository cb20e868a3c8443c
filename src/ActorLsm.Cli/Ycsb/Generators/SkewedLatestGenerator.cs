namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// YCSB's <c>latest</c> distribution: key numbers near the most recent acknowledged insert are
/// the most popular. A Zipfian draw z over the LastValue + 1 keys inserted so far yields
/// LastValue - z, so the newest key has rank 1, the one before rank 2, and so on, and the
/// distribution moves as inserts are acknowledged. Result in [0, LastValue].
/// </summary>
internal sealed class SkewedLatestGenerator : INumberGenerator
{
    private readonly AcknowledgedCounter _basis;
    private readonly ZipfianGenerator _zipfian;

    /// <exception cref="ArgumentOutOfRangeException">No key is inserted yet (LastValue &lt; 0).</exception>
    public SkewedLatestGenerator(AcknowledgedCounter basis)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(basis.LastValue);
        _basis = basis;
        _zipfian = new ZipfianGenerator(0, basis.LastValue);
    }

    public long Next(Random random)
    {
        long last = _basis.LastValue;
        return last - _zipfian.Next(random, last + 1);
    }
}
