using System.Collections.Concurrent;
using System.Text;
using ActorLsm.Client;

namespace ActorLsm.Server.Tests.Replication;

/// <summary>
/// The set workload (Jepsen's): writers put unique keys; every acknowledged key and value is
/// recorded; afterwards every recorded one must read back. Failed or timed-out writes are not
/// recorded (they may or may not be applied; neither outcome is a loss).
/// </summary>
internal sealed class SetWorkload
{
    private readonly ConcurrentDictionary<string, string> _acked = new();
    private readonly ConcurrentDictionary<string, ulong> _sequences = new();
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _attempts;

    public IReadOnlyDictionary<string, string> Acked => _acked;

    public IReadOnlyDictionary<string, int> Errors => _errors;

    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>The sequence number each acknowledged write got (for diagnosing a loss).</summary>
    public IReadOnlyDictionary<string, ulong> Sequences => _sequences;

    /// <summary>Runs <paramref name="writers"/> writers until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(ActorLsmClient client, int writers, string prefix, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                string key = $"{prefix}-{w}-{n}";
                string value = $"v-{key}";
                Interlocked.Increment(ref _attempts);
                try
                {
                    _sequences[key] = await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
                    _acked[key] = value;
                }
                catch (Exception e) when (e is ActorLsmException or ActorLsmConnectionException or TimeoutException or OperationCanceledException)
                {
                    _errors.AddOrUpdate(e.GetType().Name, 1, (_, c) => c + 1);
                }
            }
        })));

    /// <summary>Waits until <paramref name="count"/> writes were acknowledged (polling every 10 ms, up to 60 s).</summary>
    public async Task WaitForAckedAsync(int count)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (_acked.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {_acked.Count} of {count} writes acknowledged; errors: {string.Join(", ", _errors)}");
            await Task.Delay(10);
        }
    }

    /// <summary>Reads every acknowledged key back; returns the keys that are missing or wrong.</summary>
    public async Task<List<string>> FindLostAsync(ActorLsmClient client)
    {
        var lost = new List<string>();
        foreach ((string key, string value) in _acked)
        {
            byte[]? got = await client.GetAsync(Encoding.UTF8.GetBytes(key));
            if (got is null || Encoding.UTF8.GetString(got) != value)
            {
                lost.Add(key);
            }
        }

        return lost;
    }
}
