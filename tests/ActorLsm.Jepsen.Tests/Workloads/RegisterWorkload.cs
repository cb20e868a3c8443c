using System.Collections.Concurrent;
using System.Globalization;
using ActorLsm.Client;
using ActorLsm.Jepsen.Tests.Nodes;
using ActorLsm.Server.Tests.Linearizability;

namespace ActorLsm.Jepsen.Tests.Workloads;

/// <summary>
/// Jepsen's register workload: workers read and write a few registers (keys) at random, every write
/// with a value unique in the run, each operation recorded for the linearizability checker. Each fault
/// cycle gets fresh keys (<c>reg-CYCLE-K.GEN</c>) and a history of its own, and a key is retired after
/// <see cref="MaxIndeterminatePutsPerKey"/> writes of unknown outcome, so a history stays small enough to
/// check and a verdict names its cycle.
/// </summary>
/// <remarks>
/// The client resends writes of unknown outcome (<see cref="ActorLsmClientOptions.RetryIndeterminateWrites"/>)
/// with exactly-once sessions (<see cref="ActorLsmClientOptions.ExactlyOnceWrites"/>, R11): a resend is
/// applied at most once, so the histories must stay linearizable with resends on. A write that still
/// fails with an unknown outcome (timeout, lost connection, UNAVAILABLE, NOT_ENOUGH_REPLICAS,
/// SESSION_EXPIRED, ...) is recorded as indeterminate: the checker may place it anywhere after its
/// invocation, or nowhere. Only INVALID_ARGUMENT and OVERLOADED (nothing written) are definite failures.
/// </remarks>
internal sealed class RegisterWorkload
{
    private readonly ActorLsmClient _client;
    private readonly int _workers;
    private readonly int _keys;
    private readonly ConcurrentDictionary<int, HistoryRecorder> _histories = new();
    private readonly ConcurrentDictionary<int, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _indeterminatePuts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(int Cycle, int Key), int> _generation = new();
    private volatile int _cycle;

    /// <summary>
    /// A key is retired (the workers move to a fresh one, <c>reg-CYCLE-K.GEN</c>) after this many
    /// writes of unknown outcome: each may be linearized anywhere after its invocation, so the
    /// checker's search grows exponentially with them (Porcupine has the same limit).
    /// </summary>
    internal const int MaxIndeterminatePutsPerKey = 3;

    /// <summary>REQUIRES: <paramref name="client"/> routes by the shard map; if it resends writes of unknown outcome, it does so with exactly-once sessions.</summary>
    public RegisterWorkload(ActorLsmClient client, int workers, int keys)
    {
        if (client.Options.RetryIndeterminateWrites && !client.Options.ExactlyOnceWrites)
        {
            throw new ArgumentException("the register workload resends writes only with ExactlyOnceWrites: a resend without a session could apply twice", nameof(client));
        }

        _client = client;
        _workers = workers;
        _keys = keys;
    }

    /// <summary>Moves the workers to the keys of <paramref name="cycle"/> (0 = between cycles: keys of their own, not checked).</summary>
    public void BeginCycle(int cycle) => _cycle = cycle;

    /// <summary>Waits until no operation on <paramref name="cycle"/>'s keys is in flight (call after moving on), then returns its history.</summary>
    public async Task<IReadOnlyList<Operation>> FinishCycleAsync(int cycle, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (_inFlight.GetValueOrDefault(cycle) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20); // poll interval, bounded by the request timeout
        }

        return _histories.TryGetValue(cycle, out HistoryRecorder? history) ? history.Snapshot() : [];
    }

    /// <summary>Runs the workers until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(int seed, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, _workers).Select(w => Task.Run(() => WorkerAsync(w, new Random(seed + w), stop))));

    private async Task WorkerAsync(int worker, Random rng, CancellationToken stop)
    {
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            int cycle = _cycle;
            HistoryRecorder history = _histories.GetOrAdd(cycle, _ => new HistoryRecorder());
            int slot = rng.Next(_keys);
            int generation = _generation.GetValueOrDefault((cycle, slot));
            string key = $"reg-{cycle.ToString(CultureInfo.InvariantCulture)}-{slot.ToString(CultureInfo.InvariantCulture)}.{generation.ToString(CultureInfo.InvariantCulture)}";
            _inFlight.AddOrUpdate(cycle, 1, (_, c) => c + 1);
            try
            {
                if (rng.Next(2) == 0)
                {
                    string value = $"w{worker.ToString(CultureInfo.InvariantCulture)}-{n.ToString(CultureInfo.InvariantCulture)}";
                    long id = history.Invoke(worker, OperationKind.Put, key, value);
                    try
                    {
                        await _client.PutAsync(Text.Utf8(key), Text.Utf8(value));
                        history.Complete(id);
                    }
                    catch (Exception e) when (IsDefiniteFailure(e))
                    {
                        history.Fail(id);
                    }
                    catch (Exception e) when (IsClientError(e))
                    {
                        history.Indeterminate(id);
                        if (_indeterminatePuts.AddOrUpdate(key, 1, (_, c) => c + 1) == MaxIndeterminatePutsPerKey)
                        {
                            _generation.AddOrUpdate((cycle, slot), generation + 1, (_, g) => Math.Max(g, generation + 1));
                        }
                    }
                }
                else
                {
                    long id = history.Invoke(worker, OperationKind.Get, key);
                    try
                    {
                        byte[]? got = await _client.GetAsync(Text.Utf8(key));
                        history.Complete(id, got is null ? null : Text.Utf8(got));
                    }
                    catch (Exception e) when (IsClientError(e))
                    {
                        history.Indeterminate(id);
                    }
                }
            }
            finally
            {
                _inFlight.AddOrUpdate(cycle, 0, (_, c) => c - 1);
            }

            // A few hundred operations per key and cycle: enough to race, small enough to check.
            await Task.Delay(rng.Next(5, 25), CancellationToken.None);
        }
    }

    private static bool IsDefiniteFailure(Exception e) =>
        e is ArgumentException or ActorLsmOverloadedException;

    internal static bool IsClientError(Exception e) =>
        e is ActorLsmException or ActorLsmConnectionException or TimeoutException or OperationCanceledException or IOException;
}
