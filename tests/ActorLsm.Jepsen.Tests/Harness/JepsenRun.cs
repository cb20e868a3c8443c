using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorLsm.Client;
using ActorLsm.Jepsen.Tests.Nodes;
using ActorLsm.Jepsen.Tests.Workloads;
using ActorLsm.Protocol;
using ActorLsm.Server.Tests.Linearizability;

namespace ActorLsm.Jepsen.Tests.Harness;

/// <summary>Settings of one run: a fresh cluster, a schedule of fault cycles, a final check.</summary>
/// <param name="Cycles">Fault cycles to run.</param>
/// <param name="Seed">Seeds the schedule, the nemesis's choices and the workloads; printed, so a run can be repeated.</param>
/// <param name="Timings">How long faults last.</param>
/// <param name="Faults">The faults to draw from (each cycle picks one at random; a short run takes distinct ones while it can).</param>
internal sealed record RunOptions(int Cycles, int Seed, FaultTimings Timings, IReadOnlyList<FaultKind> Faults)
{
    /// <summary>Time the cluster may take to become whole after a heal before the run fails.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// When set, no cycle starts once this much time has passed since the first one started (CI's
    /// bound on the run; the first cycle always runs). The cycles run are in the report.
    /// </summary>
    public TimeSpan? CycleBudget { get; init; }

    /// <summary>Numbers cycles from here (a soak of several runs numbers them through).</summary>
    public int FirstCycle { get; init; } = 1;
}

/// <summary>What a run found.</summary>
/// <param name="Cycles">One result per fault cycle.</param>
/// <param name="LostOutsideCycles">Acknowledged adds of the warm-up (before the first fault) that are missing or wrong.</param>
/// <param name="DigestMismatches">Shards whose replicas differ in content, each with its replicas' digests.</param>
/// <param name="Summary">Counts for the log: operations, adds, digests compared.</param>
internal sealed record RunReport(IReadOnlyList<CycleResult> Cycles, int LostOutsideCycles, IReadOnlyList<string> DigestMismatches, string Summary)
{
    /// <summary>Every reason this run fails (empty when it passes).</summary>
    public IReadOnlyList<string> Violations() =>
    [
        .. Cycles.Select(c => c.Violation()).OfType<string>(),
        .. LostOutsideCycles > 0 ? [$"{LostOutsideCycles} acknowledged warm-up writes lost or wrong"] : Array.Empty<string>(),
        .. DigestMismatches.Select(m => "replicas differ: " + m),
    ];
}

/// <summary>
/// The Jepsen-style run: three actorlsm-server processes in network namespaces, a register workload and
/// a set workload running throughout, a schedule of fault cycles (fault, heal, wait until the cluster is
/// whole), each cycle's register history checked for linearizability, then every acknowledged add read
/// back and every shard's replicas compared by content.
/// </summary>
internal static class JepsenRun
{
    private const int RegisterWorkers = 4;
    private const int RegisterKeys = 4;
    private const int SetWriters = 8;
    private static readonly TimeSpan s_checkTimeout = TimeSpan.FromSeconds(20);

    public static async Task<RunReport> RunAsync(RunOptions options, Action<string> log)
    {
        var rng = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        log($"run: seed {options.Seed}, {options.Cycles} cycles from {options.FirstCycle}, faults {string.Join(", ", options.Faults)}; {ClusterLayout.Settings}");
        await using JepsenCluster cluster = await JepsenCluster.StartAsync(log, TimeSpan.FromSeconds(120));
        log($"cluster whole after {clock.Elapsed.TotalSeconds:F1} s");
        bool passed = false;
        try
        {
            RunReport report = await RunCyclesAsync(cluster, options, rng, log);
            passed = report.Violations().Count == 0;
            log($"run finished after {clock.Elapsed.TotalSeconds:F1} s: {report.Summary}");
            return report;
        }
        finally
        {
            // Kept also when a cycle needed a full restart (set then), for its node logs.
            cluster.KeepFiles |= !passed;
            if (!passed)
            {
                log($"kept the nodes' files in {cluster.Directory}\n{cluster.LogTails(15)}");
            }
        }
    }

    private static async Task<RunReport> RunCyclesAsync(JepsenCluster cluster, RunOptions options, Random rng, Action<string> log)
    {
        await using var registerClient = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = cluster.Endpoints,
            RetryIndeterminateWrites = true, // resends of unknown outcome, applied at most once (R11)
            ExactlyOnceWrites = true,
            RequestTimeout = TimeSpan.FromSeconds(3),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            ConnectionsPerEndpoint = 2,
        });
        await using var setClient = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = cluster.Endpoints,
            RequestTimeout = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            ConnectionsPerEndpoint = 2,
        });
        var register = new RegisterWorkload(registerClient, RegisterWorkers, RegisterKeys);
        var set = new SetWorkload(setClient, SetWriters);
        var nemesis = new Nemesis(cluster, options.Timings, rng, log);
        using var stop = new CancellationTokenSource();
        Task workloads = Task.WhenAll(register.RunAsync(rng.Next(), stop.Token), set.RunAsync(stop.Token));
        var results = new List<CycleResult>();
        var remaining = new List<FaultKind>();
        try
        {
            // Warm-up: both workloads write before the first fault.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var cyclesClock = Stopwatch.StartNew();
            for (int i = 0; i < options.Cycles; i++)
            {
                int cycle = options.FirstCycle + i;
                if (i > 0 && options.CycleBudget is { } budget && cyclesClock.Elapsed > budget)
                {
                    log($"cycle budget of {budget.TotalSeconds:F0} s spent after {i} cycles ({cyclesClock.Elapsed.TotalSeconds:F1} s); no more cycles");
                    break;
                }

                if (remaining.Count == 0)
                {
                    remaining.AddRange(options.Faults.OrderBy(_ => rng.Next()));
                }

                FaultKind fault = remaining[0];
                remaining.RemoveAt(0);
                register.BeginCycle(cycle);
                set.BeginCycle(cycle);
                await Task.Delay(TimeSpan.FromSeconds(1));
                var faultClock = Stopwatch.StartNew();
                string description = await nemesis.RunAsync(fault);
                TimeSpan faultTime = faultClock.Elapsed;
                TimeSpan recovery;
                bool recovered = true;
                try
                {
                    recovery = await cluster.WaitHealthyAsync(options.RecoveryTimeout);
                }
                catch (TimeoutException e)
                {
                    // Reported as an anomaly of its own; the run goes on after an operator's full restart.
                    recovered = false;
                    log($"NOT RECOVERED after {options.RecoveryTimeout.TotalSeconds:F0} s: {e.Message.Split('\n')[0]}; node logs kept in {cluster.Directory}; full restart (kill -9 of all, start all)");
                    cluster.KeepFiles = true;
                    cluster.RestartAll();
                    recovery = options.RecoveryTimeout + await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(120));
                }

                await Task.Delay(TimeSpan.FromSeconds(1));

                register.BeginCycle(cycle + 1);
                var checkClock = Stopwatch.StartNew();
                IReadOnlyList<Operation> history = await register.FinishCycleAsync(cycle, TimeSpan.FromSeconds(10));
                TimeSpan drained = checkClock.Elapsed;
                CycleResult result = Judge(cycle, fault, description, history, set.LongestGap(cycle), recovery) with { Recovered = recovered };
                results.Add(result);
                log($"  history drained in {drained.TotalSeconds:F1} s, checked in {(checkClock.Elapsed - drained).TotalSeconds:F1} s");
                log(string.Create(
                    CultureInfo.InvariantCulture,
                    $"cycle {cycle} {fault}: {description}; fault {faultTime.TotalSeconds:F1} s, {(recovered ? "" : "NOT RECOVERED, after a full restart ")}whole again {recovery.TotalSeconds:F1} s after heal; {history.Count} register ops, {result.Linearizability.Outcome}, {result.StaleReads} stale, {result.WrongValues} wrong; longest write outage {result.LongestWriteOutage.TotalSeconds:F1} s; {set.AckedCount} adds acked, errors {string.Join(' ', set.Errors.Select(e => $"{e.Key}={e.Value}"))}"));
                foreach (string example in result.Examples)
                {
                    log("  " + example);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await workloads;
        }

        // Heal is complete: every node is up and in every in-sync set. Read back, then compare replicas.
        await cluster.WaitHealthyAsync(options.RecoveryTimeout);
        await using var reader = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = cluster.Endpoints, RequestTimeout = TimeSpan.FromSeconds(5) });
        (IReadOnlyList<(string Key, int Cycle)> lost, IReadOnlyList<(string Key, int Cycle)> wrong) = await set.VerifyAsync(reader);
        foreach (CycleResult result in results)
        {
            result.LostWrites = lost.Count(l => l.Cycle == result.Cycle);
            result.WrongSetValues = wrong.Count(w => w.Cycle == result.Cycle);
        }

        int lostOutside = lost.Concat(wrong).Count(l => results.All(r => r.Cycle != l.Cycle));
        foreach ((string key, int cycle) in lost.Take(10))
        {
            log($"LOST acknowledged add {key} (acknowledged in cycle {cycle})");
        }

        ClusterStatusResponse? final = await cluster.AnyClusterStatusAsync();
        await cluster.WaitReplicasConvergedAsync(TimeSpan.FromSeconds(60));
        IReadOnlyDictionary<(int Shard, int Node), ReplicaDigest> digests = cluster.StopAndDigest();
        var mismatches = new List<string>();
        foreach (ClusterShard shard in final?.Shards ?? [])
        {
            int[] replicas = [.. new[] { shard.Leader }.Concat(shard.Followers).Select(a => cluster.NodeOf(a)?.Index ?? -1).Where(n => n > 0).Distinct().Order()];
            var found = replicas.Select(n => (Node: n, Digest: digests.GetValueOrDefault(((int)shard.Id, n)))).ToList();
            if (found.Any(f => f.Digest is null) || found.Select(f => f.Digest!.Sha256).Distinct().Count() > 1)
            {
                mismatches.Add($"shard {shard.Id}: {string.Join(", ", found.Select(f => $"node{f.Node} {f.Digest?.ToString() ?? "missing"}"))}");
            }
        }

        if (final is null)
        {
            mismatches.Add("no node answered the final cluster status, so replicas could not be named");
        }

        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture, $"{results.Sum(r => r.Operations)} register ops checked; {set.AckedCount} of {set.Attempts} adds acknowledged, {lost.Count} lost, {wrong.Count} wrong; ");
        summary.Append(CultureInfo.InvariantCulture, $"{digests.Count} shard replicas digested, {mismatches.Count} shards differ");
        if (digests.Count > 0)
        {
            summary.Append(CultureInfo.InvariantCulture, $" (e.g. shard 0: {string.Join(" / ", digests.Where(d => d.Key.Shard == 0).OrderBy(d => d.Key.Node).Select(d => $"node{d.Key.Node} {d.Value}"))})");
        }

        return new RunReport(results, lostOutside, mismatches, summary.ToString());
    }

    private static CycleResult Judge(int cycle, FaultKind fault, string description, IReadOnlyList<Operation> history, TimeSpan outage, TimeSpan recovery)
    {
        CheckResult verdict = LinearizabilityChecker.Check(history, s_checkTimeout);
        (IReadOnlyList<Operation> stale, IReadOnlyList<Operation> wrong) = ReadAnomalies.Classify(history);
        var examples = new List<string>();
        if (verdict.Outcome != CheckOutcome.Ok)
        {
            examples.Add($"checker: {verdict}");
        }

        examples.AddRange(stale.Take(3).Select(op => $"stale read: {op}"));
        examples.AddRange(wrong.Take(3).Select(op => $"wrong value: {op}"));
        return new CycleResult(cycle, fault, description, history.Count, verdict, stale.Count, wrong.Count, outage, recovery, examples);
    }
}
