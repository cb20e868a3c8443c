using System.Diagnostics;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// Zipfian integers over [<c>min</c>, <c>min + items</c>): item <c>min</c> is the most popular and
/// popularity falls as 1/rank^θ (θ = 0.99 by default, YCSB's constant). Draws use the
/// constant-time inversion of Gray et al., "Quickly Generating Billion-Record Synthetic
/// Databases" (SIGMOD 1994), which YCSB's ZipfianGenerator also uses. The item count may grow
/// between draws (<see cref="Next(Random, long)"/>, for the <c>latest</c> distribution): ζ is then
/// extended incrementally. Thread-safe.
/// </summary>
internal sealed class ZipfianGenerator : INumberGenerator
{
    /// <summary>YCSB's Zipfian constant θ.</summary>
    public const double DefaultTheta = 0.99;

    private readonly long _min;
    private readonly double _theta;
    private readonly double _alpha;
    private readonly double _zeta2;
    private readonly double _halfPowTheta;
    private readonly object _grow = new();
    private volatile State _state;

    /// <summary>Items [<paramref name="min"/>, <paramref name="max"/>]; ζ computed exactly unless <paramref name="zetaN"/> is given.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An empty range or θ outside (0, 1).</exception>
    public ZipfianGenerator(long min, long max, double theta = DefaultTheta, double? zetaN = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        if (!(theta > 0 && theta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "theta must be in (0, 1)");
        }

        _min = min;
        _theta = theta;
        _alpha = 1.0 / (1.0 - theta);
        _zeta2 = Zeta.Exact(2, theta);
        _halfPowTheta = Math.Pow(0.5, theta);
        long items = max - min + 1;
        _state = MakeState(items, zetaN ?? Zeta.Exact(items, theta));
        AssertInvariants();
    }

    /// <summary>Current number of items.</summary>
    public long ItemCount => _state.Items;

    public long Next(Random random) => Draw(random, _state);

    /// <summary>
    /// A draw over <paramref name="itemCount"/> items (grown to it first if larger than the
    /// current count; a smaller count uses the current ζ, as only growth is expected).
    /// </summary>
    public long Next(Random random, long itemCount)
    {
        State state = _state;
        if (itemCount > state.Items)
        {
            lock (_grow)
            {
                state = _state;
                if (itemCount > state.Items)
                {
                    state = MakeState(itemCount, Zeta.Extend(state.Items, itemCount, _theta, state.ZetaN));
                    _state = state;
                }
            }
        }

        return Draw(random, state);
    }

    private long Draw(Random random, State state)
    {
        double u = random.NextDouble();
        double uz = u * state.ZetaN;
        if (uz < 1.0)
        {
            return _min;
        }

        if (uz < 1.0 + _halfPowTheta)
        {
            return _min + 1;
        }

        long offset = (long)(state.Items * Math.Pow((state.Eta * u) - state.Eta + 1, _alpha));
        return _min + Math.Min(offset, state.Items - 1);
    }

    private State MakeState(long items, double zetaN)
    {
        double eta = (1 - Math.Pow(2.0 / items, 1 - _theta)) / (1 - (_zeta2 / zetaN));
        return new State(items, zetaN, eta);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        State state = _state;
        Debug.Assert(state.Items >= 1, "at least one item");
        Debug.Assert(state.ZetaN >= 1.0, "zeta(n) >= 1 for n >= 1");
    }

    private sealed record State(long Items, double ZetaN, double Eta);
}
