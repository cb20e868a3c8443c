using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class GeneratorTests
{
    private const int Seed = 20_240_601;

    [Fact]
    public void ZipfianGenerator_FixedSeed_SkewedTowardItemZeroAndInRange()
    {
        var zipf = new ZipfianGenerator(0, 99);
        var random = new Random(Seed);
        long[] counts = new long[100];
        const int draws = 200_000;
        for (int i = 0; i < draws; i++)
        {
            long v = zipf.Next(random);
            Assert.InRange(v, 0, 99);
            counts[v]++;
        }

        // Item 0 is the most popular, with probability 1/zeta(100, 0.99).
        Assert.Equal(counts.Max(), counts[0]);
        double expected = draws / Zeta.Exact(100, ZipfianGenerator.DefaultTheta);
        Assert.InRange(counts[0], expected * 0.95, expected * 1.05);
        for (int i = 1; i < 5; i++)
        {
            Assert.True(counts[i - 1] > counts[i], $"seed {Seed}: count[{i - 1}]={counts[i - 1]} <= count[{i}]={counts[i]}");
        }

        long[] decades = Enumerable.Range(0, 10).Select(d => counts.Skip(d * 10).Take(10).Sum()).ToArray();
        for (int d = 1; d < decades.Length; d++)
        {
            Assert.True(decades[d - 1] > decades[d], $"seed {Seed}: decade {d - 1} ({decades[d - 1]}) <= decade {d} ({decades[d]})");
        }
    }

    [Fact]
    public void ZipfianGenerator_Offset_StaysInOffsetRange()
    {
        var zipf = new ZipfianGenerator(1000, 1009);
        var random = new Random(Seed);
        var seen = new HashSet<long>();
        for (int i = 0; i < 20_000; i++)
        {
            long v = zipf.Next(random);
            Assert.InRange(v, 1000, 1009);
            seen.Add(v);
        }

        Assert.Equal(10, seen.Count);
    }

    [Fact]
    public void ZipfianGenerator_GrowingItemCount_ExtendsZetaExactly()
    {
        var zipf = new ZipfianGenerator(0, 9);
        var random = new Random(Seed);
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(zipf.Next(random, 500), 0, 499);
        }

        Assert.Equal(500, zipf.ItemCount);
    }

    [Fact]
    public void Zeta_Approximate_MatchesExactSum()
    {
        double exact = Zeta.Exact(2_000_000, 0.99);
        double approx = Zeta.Approximate(2_000_000, 0.99);
        Assert.InRange(Math.Abs(approx - exact) / exact, 0, 1e-9);
    }

    [Fact]
    public void ScrambledZipfian_FixedSeed_InRangeAndSkewed()
    {
        var scrambled = new ScrambledZipfianGenerator(100, 1099);
        var random = new Random(Seed);
        var counts = new Dictionary<long, int>();
        const int draws = 100_000;
        for (int i = 0; i < draws; i++)
        {
            long v = scrambled.Next(random);
            Assert.InRange(v, 100, 1099);
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        // Uniform would give each of the 1000 items about 100 draws; the hottest gets far more.
        Assert.True(counts.Values.Max() > 20 * draws / 1000, $"seed {Seed}: max count {counts.Values.Max()}");
        // Hashing spreads popular items: the hottest item is not simply the range's first.
        Assert.NotEqual(100, counts.MaxBy(kv => kv.Value).Key);
    }

    [Fact]
    public void UniformGenerator_FixedSeed_CoversRangeOnly()
    {
        var uniform = new UniformGenerator(5, 14);
        var random = new Random(Seed);
        int[] counts = new int[10];
        for (int i = 0; i < 50_000; i++)
        {
            long v = uniform.Next(random);
            Assert.InRange(v, 5, 14);
            counts[v - 5]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 4_500, 5_500));
    }

    [Fact]
    public void HotspotGenerator_FixedSeed_SendsOperationFractionToHotSet()
    {
        var hotspot = new HotspotGenerator(0, 999, 0.2, 0.8);
        var random = new Random(Seed);
        int hot = 0;
        const int draws = 50_000;
        for (int i = 0; i < draws; i++)
        {
            long v = hotspot.Next(random);
            Assert.InRange(v, 0, 999);
            hot += v < 200 ? 1 : 0;
        }

        Assert.InRange(hot / (double)draws, 0.78, 0.82);
    }

    [Fact]
    public void SkewedLatest_FixedSeed_FavoursRecentKeysAndFollowsInserts()
    {
        var counter = new AcknowledgedCounter(1000); // keys 0..999 exist
        var latest = new SkewedLatestGenerator(counter);
        var random = new Random(Seed);
        int recent = 0;
        const int draws = 50_000;
        var counts = new Dictionary<long, int>();
        for (int i = 0; i < draws; i++)
        {
            long v = latest.Next(random);
            Assert.InRange(v, 0, 999);
            recent += v >= 900 ? 1 : 0;
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        Assert.Equal(999, counts.MaxBy(kv => kv.Value).Key);
        Assert.True(recent > draws / 2, $"seed {Seed}: only {recent} of {draws} draws in the newest 10%");

        for (int i = 0; i < 100; i++)
        {
            counter.Acknowledge(counter.Next());
        }

        Assert.Equal(1099, counter.LastValue);
        counts.Clear();
        for (int i = 0; i < draws; i++)
        {
            long v = latest.Next(random);
            Assert.InRange(v, 0, 1099);
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        Assert.Equal(1099, counts.MaxBy(kv => kv.Value).Key);
    }

    [Fact]
    public void AcknowledgedCounter_OutOfOrderAcks_LastValueIsContiguousPrefix()
    {
        var counter = new AcknowledgedCounter(10);
        Assert.Equal(9, counter.LastValue);
        long a = counter.Next();
        long b = counter.Next();
        long c = counter.Next();
        Assert.Equal([10L, 11L, 12L], [a, b, c]);

        counter.Acknowledge(c);
        counter.Acknowledge(b);
        Assert.Equal(9, counter.LastValue);

        counter.Acknowledge(a);
        Assert.Equal(12, counter.LastValue);
    }

    [Fact]
    public void AcknowledgedCounter_ConcurrentNextAndAck_ReachesLastNumber()
    {
        var counter = new AcknowledgedCounter(0);
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                counter.Acknowledge(counter.Next());
            }
        });
        Assert.Equal(39_999, counter.LastValue);
    }

    [Fact]
    public void OperationChooser_FixedSeed_FollowsProportions()
    {
        var settings = new CoreWorkloadSettings { ReadProportion = 0.5, UpdateProportion = 0, InsertProportion = 0.25, ReadModifyWriteProportion = 0.25 };
        var chooser = new OperationChooser(settings);
        var random = new Random(Seed);
        var counts = new Dictionary<YcsbOperation, int>();
        for (int i = 0; i < 40_000; i++)
        {
            YcsbOperation op = chooser.Next(random);
            counts[op] = counts.GetValueOrDefault(op) + 1;
        }

        Assert.False(counts.ContainsKey(YcsbOperation.Update));
        Assert.False(counts.ContainsKey(YcsbOperation.Scan));
        Assert.InRange(counts[YcsbOperation.Read], 19_000, 21_000);
        Assert.InRange(counts[YcsbOperation.Insert], 9_400, 10_600);
        Assert.InRange(counts[YcsbOperation.ReadModifyWrite], 9_400, 10_600);
    }
}
