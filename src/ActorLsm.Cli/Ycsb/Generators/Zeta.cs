namespace ActorLsm.Cli.Ycsb;

/// <summary>The generalized harmonic number ζ(n, θ) = Σ_{i=1..n} 1/i^θ used by the Zipfian generators.</summary>
internal static class Zeta
{
    /// <summary>Terms summed exactly before <see cref="Approximate"/> switches to the Euler–Maclaurin tail.</summary>
    private const long ExactTerms = 10_000;

    /// <summary>ζ(<paramref name="to"/>, θ) given <paramref name="partial"/> = ζ(<paramref name="from"/>, θ): adds the terms from+1..to.</summary>
    public static double Extend(long from, long to, double theta, double partial)
    {
        double sum = partial;
        for (long i = from + 1; i <= to; i++)
        {
            sum += 1.0 / Math.Pow(i, theta);
        }

        return sum;
    }

    /// <summary>ζ(n, θ) exactly (O(n)).</summary>
    public static double Exact(long n, double theta) => Extend(0, n, theta, 0.0);

    /// <summary>
    /// ζ(n, θ) for any n in O(1) after a fixed prefix: the first terms summed exactly, the rest
    /// by the Euler–Maclaurin formula (integral, end-point and first derivative corrections);
    /// relative error far below 1e-9 for θ in (0, 1).
    /// </summary>
    public static double Approximate(long n, double theta)
    {
        if (n <= ExactTerms)
        {
            return Exact(n, theta);
        }

        long m = ExactTerms;
        double head = Exact(m - 1, theta);
        double a = m;
        double b = n;
        double integral = (Math.Pow(b, 1 - theta) - Math.Pow(a, 1 - theta)) / (1 - theta);
        double ends = (Math.Pow(a, -theta) + Math.Pow(b, -theta)) / 2;
        double derivative = theta / 12 * (Math.Pow(a, -theta - 1) - Math.Pow(b, -theta - 1));
        return head + integral + ends + derivative;
    }
}
