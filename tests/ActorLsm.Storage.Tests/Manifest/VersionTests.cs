using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using static ActorLsm.Storage.Tests.Manifest.TestFiles;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Tests.Manifest;

public class VersionTests
{
    private static string K(int i) => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Disjoint files at L1 (from sorted distinct random keys, paired up) and random, overlapping files at L0.</summary>
    private static Version RandomVersion(Random rng, int l0Files, int l1Files)
    {
        var files = new List<(int, FileMetadata)>();
        ulong number = 1;
        for (int i = 0; i < l0Files; i++)
        {
            int a = rng.Next(0, 1000);
            int b = a + rng.Next(0, 150);
            files.Add((0, Make(number++, K(a), K(b), size: rng.Next(1, 5000))));
        }

        var keys = new SortedSet<int>();
        while (keys.Count < 2 * l1Files)
        {
            keys.Add(rng.Next(0, 1000));
        }

        int[] sorted = [.. keys];
        for (int i = 0; i < l1Files; i++)
        {
            files.Add((1, Make(number++, K(sorted[2 * i]), K(sorted[(2 * i) + 1]), size: rng.Next(1, 5000))));
        }

        return Build(3, [.. files]);
    }

    private static bool Overlaps(FileMetadata f, string? begin, string? end) =>
        (begin is null || f.LargestUserKey.SequenceCompareTo(Key(begin)) >= 0) &&
        (end is null || f.SmallestUserKey.SequenceCompareTo(Key(end)) <= 0);

    private static (string? Begin, string? End) RandomRange(Random rng)
    {
        int a = rng.Next(0, 1100);
        int b = a + rng.Next(0, 200);
        return (rng.Next(8) == 0 ? null : K(a), rng.Next(8) == 0 ? null : K(b));
    }

    [Fact]
    public void Files_L0_OrderedNewestFirst()
    {
        Version v = Build(3, (0, Make(3, "a", "z")), (0, Make(7, "b", "c")), (0, Make(5, "a", "b")));

        Assert.Equal([7UL, 5UL, 3UL], Numbers(v.Files(0)));
        Assert.Equal(3, v.NumFiles(0));
        Assert.Equal(3000, v.LevelBytes(0));
    }

    [Fact]
    public void Files_Level1_SortedBySmallestKey()
    {
        Version v = Build(3, (1, Make(1, "m", "n")), (1, Make(2, "a", "b")), (1, Make(3, "x", "y")), (2, Make(4, "c", "d")));

        Assert.Equal([2UL, 1UL, 3UL], Numbers(v.Files(1)));
        Assert.Equal(4, v.AllFiles().Count());
        Assert.Contains("#4", v.DebugString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FindFile_RandomLevel_MatchesBruteForce()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var rng = new Random(seed);
            Version v = RandomVersion(rng, 0, rng.Next(0, 40));
            IReadOnlyList<FileMetadata> files = v.Files(1);
            for (int q = 0; q < 200; q++)
            {
                byte[] key = InternalKey.Create(Key(K(rng.Next(0, 1100))), (ulong)rng.Next(0, 200), ValueKind.Put);
                int expected = 0;
                while (expected < files.Count && InternalKey.Compare(files[expected].Largest, key) < 0)
                {
                    expected++;
                }

                int actual = v.FindFile(1, key);
                Assert.True(expected == actual, $"seed {seed}: key {InternalKey.Describe(key)} expected {expected} got {actual}");
            }
        }
    }

    [Fact]
    public void GetOverlappingInputs_RandomLevel1_MatchesBruteForce()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var rng = new Random(seed);
            Version v = RandomVersion(rng, 0, rng.Next(0, 40));
            for (int q = 0; q < 200; q++)
            {
                (string? begin, string? end) = RandomRange(rng);
                var expected = v.Files(1).Where(f => Overlaps(f, begin, end)).Select(f => f.Number).ToArray();
                ulong[] actual = Numbers(v.GetOverlappingInputs(1, begin is null ? [] : Key(begin), end is null ? [] : Key(end)));
                Assert.True(expected.SequenceEqual(actual), $"seed {seed}: [{begin}, {end}] expected {string.Join(',', expected)} got {string.Join(',', actual)}");
            }
        }
    }

    [Fact]
    public void GetOverlappingInputs_RandomL0_MatchesTransitiveClosure()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var rng = new Random(seed);
            Version v = RandomVersion(rng, rng.Next(0, 12), 0);
            for (int q = 0; q < 100; q++)
            {
                (string? begin, string? end) = RandomRange(rng);

                // Brute force: widen the range by every overlapping file until nothing changes.
                string? b = begin;
                string? e = end;
                HashSet<ulong> chosen;
                while (true)
                {
                    chosen = v.Files(0).Where(f => Overlaps(f, b, e)).Select(f => f.Number).ToHashSet();
                    string? nb = b;
                    string? ne = e;
                    foreach (FileMetadata f in v.Files(0).Where(f => chosen.Contains(f.Number)))
                    {
                        string s = System.Text.Encoding.ASCII.GetString(f.SmallestUserKey);
                        string l = System.Text.Encoding.ASCII.GetString(f.LargestUserKey);
                        nb = nb is null ? null : string.CompareOrdinal(s, nb) < 0 ? s : nb;
                        ne = ne is null ? null : string.CompareOrdinal(l, ne) > 0 ? l : ne;
                    }

                    if (nb == b && ne == e)
                    {
                        break;
                    }

                    (b, e) = (nb, ne);
                }

                ulong[] expected = v.Files(0).Select(f => f.Number).Where(chosen.Contains).ToArray();
                ulong[] actual = Numbers(v.GetOverlappingInputs(0, begin is null ? [] : Key(begin), end is null ? [] : Key(end)));
                Assert.True(expected.SequenceEqual(actual), $"seed {seed}: [{begin}, {end}] expected {string.Join(',', expected)} got {string.Join(',', actual)}");
            }
        }
    }

    [Fact]
    public void GetOverlappingInputs_L0Chain_ExpandsTransitively()
    {
        Version v = Build(3, (0, Make(1, "a", "c")), (0, Make(2, "b", "f")), (0, Make(3, "e", "h")), (0, Make(4, "x", "z")));

        Assert.Equal([3UL, 2UL, 1UL], Numbers(v.GetOverlappingInputs(0, Key("a"), Key("a"))));
        Assert.Equal([4UL], Numbers(v.GetOverlappingInputs(0, Key("y"), [])));
    }

    [Fact]
    public void OverlapInLevel_RandomLevels_MatchesBruteForce()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var rng = new Random(seed);
            Version v = RandomVersion(rng, rng.Next(0, 10), rng.Next(0, 30));
            for (int q = 0; q < 200; q++)
            {
                (string? begin, string? end) = RandomRange(rng);
                for (int level = 0; level <= 2; level++)
                {
                    bool expected = v.Files(level).Any(f => Overlaps(f, begin, end));
                    bool actual = v.OverlapInLevel(level, begin is null ? [] : Key(begin), end is null ? [] : Key(end));
                    Assert.True(expected == actual, $"seed {seed}: level {level} [{begin}, {end}] expected {expected}");
                }
            }
        }
    }

    [Fact]
    public void AddCandidateFilesForGet_KeyInSeveralLevels_ReturnsL0NewestFirstThenOnePerLevel()
    {
        Version v = Build(
            4,
            (0, Make(10, "a", "m")),
            (0, Make(12, "k", "z")),
            (0, Make(11, "n", "p")),
            (1, Make(5, "a", "f")),
            (1, Make(6, "g", "l")),
            (2, Make(7, "m", "z")),
            (3, Make(8, "a", "z")));
        var result = new List<(int Level, FileMetadata File)>();

        v.AddCandidateFilesForGet(Key("k"), result);

        Assert.Equal([(0, 12UL), (0, 10UL), (1, 6UL), (3, 8UL)], result.Select(r => (r.Level, r.File.Number)).ToArray());
    }

    [Fact]
    public void AddCandidateFilesForGet_KeyInGap_ReturnsNothing()
    {
        Version v = Build(3, (0, Make(10, "a", "b")), (1, Make(5, "c", "d")), (1, Make(6, "g", "h")));
        var result = new List<(int Level, FileMetadata File)>();

        v.AddCandidateFilesForGet(Key("e"), result);

        Assert.Empty(result);
        Assert.Null(v.FileForUserKey(1, Key("zz")));
        Assert.Equal(6UL, v.FileForUserKey(1, Key("h"))!.Number);
    }

    [Fact]
    public void Unref_LastReference_RunsCallbackExactlyOnce()
    {
        int calls = 0;
        Version? seen = null;
        Version v = Version.Empty(3, x =>
        {
            calls++;
            seen = x;
        });

        v.Ref();
        v.Ref();
        v.Unref();
        Assert.Equal(0, calls);
        v.Unref();

        Assert.Equal(1, calls);
        Assert.Same(v, seen);
        Assert.Throws<InvalidOperationException>(v.Unref);
        Assert.Throws<InvalidOperationException>(v.Ref);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Unref_WithoutReference_Throws()
    {
        int calls = 0;
        Version v = Version.Empty(2, _ => calls++);

        Assert.Throws<InvalidOperationException>(v.Unref);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void RefUnref_ConcurrentThreads_CallbackRunsOnceAfterLastUnref()
    {
        int calls = 0;
        Version v = Version.Empty(2, _ => Interlocked.Increment(ref calls));
        v.Ref(); // the "current version" reference keeps it alive while the threads work
        const int Threads = 8;
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 20_000; i++)
                {
                    v.Ref();
                    v.Ref();
                    v.Unref();
                    v.Unref();
                }
            });
            threads[t].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.Equal(0, Volatile.Read(ref calls));
        Assert.Equal(1, v.RefCount);
        v.Unref();
        Assert.Equal(1, Volatile.Read(ref calls));
    }
}
