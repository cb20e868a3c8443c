using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ActorLsm.Client;
using ActorLsm.Jepsen.Tests.Nodes;
using ActorLsm.Protocol;

namespace ActorLsm.Jepsen.Tests.Workloads;

/// <summary>
/// Jepsen's set workload: writers add unique elements (keys <c>set-W-N</c>, value <c>v-KEY</c>) and
/// remember every acknowledged add, with the cycle it was acknowledged in; at the end every one must
/// read back with its value. A failed or timed-out add is not remembered (it may or may not be there;
/// neither is a loss). Adds are idempotent, so this client may resend writes of unknown outcome.
/// </summary>
/// <remarks>
/// It also measures failover: for each shard, the longest time between two acknowledged adds, per
/// cycle (the gap is charged to the cycle whose acknowledgement ends it). Many writers keep every
/// shard busy, so a gap is the time the shard could not take writes.
/// </remarks>
internal sealed class SetWorkload
{
    private readonly ActorLsmClient _client;
    private readonly int _writers;
    private readonly ConcurrentDictionary<string, int> _acked = new(StringComparer.Ordinal);
    private readonly long[] _lastAck = new long[ClusterLayout.ShardCount];
    private readonly ConcurrentDictionary<int, long> _longestGap = new();
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private volatile int _cycle;
    private long _attempts;

    public SetWorkload(ActorLsmClient client, int writers)
    {
        _client = client;
        _writers = writers;
    }

    /// <summary>Acknowledged adds so far.</summary>
    public int AckedCount => _acked.Count;

    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Errors by kind, for the log.</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    /// <summary>Charges acknowledgements from now on to <paramref name="cycle"/>.</summary>
    public void BeginCycle(int cycle)
    {
        long now = Stopwatch.GetTimestamp();
        for (int s = 0; s < _lastAck.Length; s++)
        {
            // A gap spanning a cycle boundary is charged to the cycle it ends in, from its true start.
            Interlocked.CompareExchange(ref _lastAck[s], now, 0);
        }

        _cycle = cycle;
    }

    /// <summary>The longest time a shard went without an acknowledged add, among gaps ended during <paramref name="cycle"/>.</summary>
    public TimeSpan LongestGap(int cycle) => Stopwatch.GetElapsedTime(0, _longestGap.GetValueOrDefault(cycle));

    /// <summary>Runs the writers until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, _writers).Select(w => Task.Run(() => WriterAsync(w, stop))));

    /// <summary>
    /// Reads every acknowledged element back, 16 at a time (each read retried on error for up to 30 s); returns the
    /// cycles whose acknowledged adds are missing and those that read back a different value.
    /// </summary>
    public async Task<(IReadOnlyList<(string Key, int Cycle)> Lost, IReadOnlyList<(string Key, int Cycle)> Wrong)> VerifyAsync(ActorLsmClient reader)
    {
        var lost = new ConcurrentBag<(string, int)>();
        var wrong = new ConcurrentBag<(string, int)>();
        await Parallel.ForEachAsync(_acked, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (entry, _) =>
        {
            byte[]? got = await ReadWithRetryAsync(reader, entry.Key);
            if (got is null)
            {
                lost.Add((entry.Key, entry.Value));
            }
            else if (Text.Utf8(got) != "v-" + entry.Key)
            {
                wrong.Add((entry.Key, entry.Value));
            }
        });

        return ([.. lost], [.. wrong]);
    }

    private async Task WriterAsync(int writer, CancellationToken stop)
    {
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            string key = $"set-{writer.ToString(CultureInfo.InvariantCulture)}-{n.ToString(CultureInfo.InvariantCulture)}";
            byte[] keyBytes = Text.Utf8(key);
            Interlocked.Increment(ref _attempts);
            try
            {
                await _client.PutAsync(keyBytes, Text.Utf8("v-" + key));
                int cycle = _cycle;
                _acked[key] = cycle;
                long now = Stopwatch.GetTimestamp();
                int shard = ShardHash.ShardOf(keyBytes, ClusterLayout.ShardCount);
                long previous = Interlocked.Exchange(ref _lastAck[shard], now);
                if (previous != 0)
                {
                    _longestGap.AddOrUpdate(cycle, now - previous, (_, g) => Math.Max(g, now - previous));
                }
            }
            catch (Exception e) when (RegisterWorkload.IsClientError(e))
            {
                _errors.AddOrUpdate(e is ActorLsmException a ? a.Code.ToString() : e.GetType().Name, 1, (_, c) => c + 1);
            }

            await Task.Delay(2, CancellationToken.None); // pacing: a shared 2-core machine
        }
    }

    private static async Task<byte[]?> ReadWithRetryAsync(ActorLsmClient reader, string key)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await reader.GetAsync(Text.Utf8(key));
            }
            catch (Exception e) when (RegisterWorkload.IsClientError(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // retry interval, bounded by the deadline
            }
        }
    }
}
