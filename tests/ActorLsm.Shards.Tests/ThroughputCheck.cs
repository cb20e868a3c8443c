using System.Diagnostics;
using System.Globalization;
using ActorLsm.Storage;
using Xunit.Abstractions;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

/// <summary>
/// A benchmark-like check, not a timed test: 8 concurrent tasks doing Put then Get through the
/// node; prints ops/sec and asserts only correctness. 20k operations by default; set
/// ACTORLSM_SHARDS_BENCH_OPS (e.g. 100000) for a longer run.
/// </summary>
public sealed class ThroughputCheck : ShardsTestKit
{
    private readonly ITestOutputHelper _output;

    public ThroughputCheck(ITestOutputHelper output)
        : base(output)
    {
        _output = output;
    }

    [Fact]
    public async Task PutGet_EightTasks_ReportsOpsPerSecond()
    {
        int total = int.TryParse(Environment.GetEnvironmentVariable("ACTORLSM_SHARDS_BENCH_OPS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 20_000;
        const int Tasks = 8;
        int perTask = total / Tasks / 2; // each iteration is one put and one get
        await using NodeHarness h = await StartAsync(dir => new ShardedNodeOptions
        {
            DataDir = dir,
            ShardCount = 8,
            Storage = new LsmOptions { WalSyncMode = WalSyncMode.None },
            RequestTimeout = TimeSpan.FromSeconds(30),
        });
        byte[] value = new byte[100];
        var clock = Stopwatch.StartNew();
        int[] found = await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            int hits = 0;
            for (int i = 0; i < perTask; i++)
            {
                byte[] key = B($"user{t}-{i}");
                await h.Node.PutAsync(key, value);
                if (await h.Node.GetAsync(key) is not null)
                {
                    hits++;
                }
            }

            return hits;
        })));
        clock.Stop();
        double opsPerSecond = Tasks * perTask * 2 / clock.Elapsed.TotalSeconds;
        _output.WriteLine($"{Tasks * perTask * 2} ops (50% put, 50% get, 100-byte values, 8 shards, WAL sync none) in {clock.Elapsed.TotalMilliseconds:F0} ms: {opsPerSecond:F0} ops/s");
        Assert.All(found, hits => Assert.Equal(perTask, hits));
    }
}
