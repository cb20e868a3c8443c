using ActorLsm.Shards.Scan;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class ScanTests(ITestOutputHelper output) : ShardsTestKit(output)
{
    private static readonly Comparer<byte[]> s_bytewise = Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b));

    [Fact]
    public async Task ScanAsync_RandomRanges_MatchSortedModel()
    {
        const int Seed = 20240611;
        var rng = new Random(Seed);
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 5,
            MaxScanLimit = 50,
            Storage = SmallStorage(),
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        var model = new SortedDictionary<byte[], byte[]>(s_bytewise);
        for (int i = 0; i < 400; i++)
        {
            byte[] key = B("k" + rng.Next(0, 1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            if (rng.Next(5) == 0)
            {
                await h.Node.DeleteAsync(key);
                model.Remove(key);
            }
            else
            {
                byte[] value = B("v" + i);
                await h.Node.PutAsync(key, value);
                model[key] = value;
            }
        }

        for (int q = 0; q < 60; q++)
        {
            byte[]? start = rng.Next(4) == 0 ? null : B("k" + rng.Next(0, 1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            byte[]? end = rng.Next(4) == 0 ? null : B("k" + rng.Next(0, 1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            int limit = rng.Next(0, 80);
            bool reverse = rng.Next(2) == 0;

            IEnumerable<KeyValuePair<byte[], byte[]>> inRange = model.Where(e =>
                (start is null || s_bytewise.Compare(e.Key, start) >= 0) && (end is null || s_bytewise.Compare(e.Key, end) < 0));
            if (start is not null && end is not null && s_bytewise.Compare(start, end) >= 0)
            {
                inRange = [];
            }

            List<KeyValuePair<byte[], byte[]>> all = reverse ? [.. inRange.Reverse()] : [.. inRange];
            int effective = limit == 0 ? 50 : Math.Min(limit, 50);
            string[] expected = [.. all.Take(effective).Select(e => S(e.Key) + "=" + S(e.Value))];

            (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, bool truncated) = await h.Node.ScanAsync(start, end, limit, reverse);
            string what = $"seed {Seed}, query {q}: [{S(start)}, {S(end)}) limit {limit} reverse {reverse}";
            Assert.True(expected.SequenceEqual(entries.Select(e => S(e.Key) + "=" + S(e.Value))), what);
            Assert.True(all.Count > effective == truncated, what + $": truncated {truncated} with {all.Count} in range");
        }
    }

    [Fact]
    public async Task ScanAsync_NegativeLimit_Throws()
    {
        await using NodeHarness h = await StartAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => h.Node.ScanAsync(null, null, -1, reverse: false));
    }

    [Fact]
    public void Merge_ThreeSortedParts_InterleavesAndTruncates()
    {
        List<KeyValuePair<byte[], byte[]>> Part(params string[] keys) => [.. keys.Select(k => new KeyValuePair<byte[], byte[]>(B(k), B(k)))];
        (List<KeyValuePair<byte[], byte[]>> entries, bool truncated) = ScanMerge.Merge([Part("a", "d"), Part("b"), Part("c", "e")], 4, reverse: false);
        Assert.Equal(["a", "b", "c", "d"], entries.Select(e => S(e.Key)));
        Assert.True(truncated);

        (entries, truncated) = ScanMerge.Merge([Part("d", "a"), Part("b"), Part("e", "c")], 10, reverse: true);
        Assert.Equal(["e", "d", "c", "b", "a"], entries.Select(e => S(e.Key)));
        Assert.False(truncated);
    }
}
