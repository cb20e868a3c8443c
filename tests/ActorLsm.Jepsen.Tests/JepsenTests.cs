using System.Globalization;
using ActorLsm.Jepsen.Tests.Harness;
using ActorLsm.Jepsen.Tests.Nodes;
using Xunit.Abstractions;

namespace ActorLsm.Jepsen.Tests;

/// <summary>
/// The Jepsen-style harness with real processes (issue 12, item 3): three actorlsm-server processes,
/// each in its own network namespace on a bridge, under a random schedule of faults while a register
/// workload (checked for linearizability) and a set workload run. Needs root; skips with the reason
/// elsewhere. The seed is printed; ACTORLSM_JEPSEN_SEED repeats a schedule.
/// </summary>
public sealed class JepsenTests
{
    private static readonly FaultKind[] s_allFaults = Enum.GetValues<FaultKind>();

    // CI leaves out the second-failure fault: two kills and two restarts take 60-90 s on their own.
    private static readonly FaultKind[] s_ciFaults = [.. s_allFaults.Where(f => f != FaultKind.SecondFailureDuringCatchUp)];
    private readonly RunLog _log;

    public JepsenTests(ITestOutputHelper output) => _log = new RunLog(output);

    /// <summary>
    /// CI's short schedule: two cycles of distinct faults drawn at random among all but
    /// SecondFailureDuringCatchUp (the soak runs that one) (ACTORLSM_JEPSEN_CYCLES changes how many), the second only when the first ended within 30 s
    /// (ACTORLSM_JEPSEN_BUDGET_SECONDS), so the test stays near 90 s on a loaded machine. Fails on any lost acknowledged write, wrong value, or shard whose replicas
    /// differ; stale reads from an old leader are reported, not failed, while
    /// <see cref="KnownAnomalies.StaleReadsFromOldLeader"/> holds.
    /// </summary>
    [NetnsFact]
    public async Task RandomFaultSchedule_ShortRun_NoAcknowledgedWriteLostNoWrongValueReplicasIdentical()
    {
        int seed = RunLog.EnvInt("ACTORLSM_JEPSEN_SEED", Random.Shared.Next());
        int cycles = RunLog.EnvInt("ACTORLSM_JEPSEN_CYCLES", 2);
        var options = new RunOptions(cycles, seed, FaultTimings.Short, s_ciFaults) { CycleBudget = TimeSpan.FromSeconds(RunLog.EnvInt("ACTORLSM_JEPSEN_BUDGET_SECONDS", 30)) };
        _log.Write($"seed {seed} (repeat with ACTORLSM_JEPSEN_SEED={seed})");

        RunReport report = await JepsenRun.RunAsync(options, _log.Write);

        _log.Write(ResultTable.Render(report.Cycles, $"seed {seed}; {ClusterLayout.Settings}"));
        IReadOnlyList<string> violations = report.Violations();
        Assert.True(violations.Count == 0, $"seed {seed}: " + string.Join("\n", violations));
        Assert.InRange(report.Cycles.Count, 1, cycles);
    }

    /// <summary>
    /// The soak (deploy/jepsen-soak.sh): ACTORLSM_JEPSEN_SOAK_CYCLES cycles in runs of
    /// ACTORLSM_JEPSEN_CYCLES_PER_RUN (default 25; each run a fresh cluster ending with a read-back and
    /// a replica digest), longer and shorter faults than CI. Writes the result table to
    /// ACTORLSM_JEPSEN_REPORT when set; fails, after every run, on the same violations as the short run.
    /// </summary>
    [NetnsFact(RequiresVariable = "ACTORLSM_JEPSEN_SOAK_CYCLES")]
    public async Task Soak_ManyFaultCycles_NoAcknowledgedWriteLostNoWrongValueReplicasIdentical()
    {
        int total = RunLog.EnvInt("ACTORLSM_JEPSEN_SOAK_CYCLES", 100);
        int perRun = Math.Max(1, RunLog.EnvInt("ACTORLSM_JEPSEN_CYCLES_PER_RUN", 25));
        int seed = RunLog.EnvInt("ACTORLSM_JEPSEN_SEED", Random.Shared.Next());
        _log.Write($"soak: {total} cycles in runs of {perRun}, seed {seed}");
        var cycles = new List<CycleResult>();
        var violations = new List<string>();
        var summaries = new List<string>();
        int aborted = 0;
        for (int run = 0; cycles.Count < total; run++)
        {
            int runSeed = unchecked(seed + run);
            var options = new RunOptions(Math.Min(perRun, total - cycles.Count), runSeed, FaultTimings.Soak, s_allFaults) { FirstCycle = cycles.Count + 1 };
            try
            {
                RunReport report = await JepsenRun.RunAsync(options, _log.Write);
                cycles.AddRange(report.Cycles);
                violations.AddRange(report.Violations().Select(v => $"run {run} (seed {runSeed}): {v}"));
                summaries.Add($"run {run} (seed {runSeed}): {report.Summary}");
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                // Its cycles are lost from the table; the next run starts a fresh cluster. Three aborts end the soak.
                violations.Add($"run {run} (seed {runSeed}) aborted: {e.Message.Split('\n')[0]}");
                _log.Write($"run {run} aborted: {e}");
                if (++aborted >= 3)
                {
                    break;
                }
            }

            WriteReport(seed, cycles, summaries, violations);
        }

        WriteReport(seed, cycles, summaries, violations);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private void WriteReport(int seed, IReadOnlyList<CycleResult> cycles, IReadOnlyList<string> summaries, IReadOnlyList<string> violations)
    {
        string table = ResultTable.Render(cycles, $"soak seed {seed}; {ClusterLayout.Settings}; fault holds {FaultTimings.Soak.MinHold.TotalSeconds}-{FaultTimings.Soak.MaxHold.TotalSeconds} s, pause {FaultTimings.Soak.Pause.TotalSeconds} s");
        string text = table + "\n" + string.Join("\n", summaries) + "\n\nviolations: " + (violations.Count == 0 ? "none" : "\n" + string.Join("\n", violations)) + "\n";
        _log.Write(text);
        if (Environment.GetEnvironmentVariable("ACTORLSM_JEPSEN_REPORT") is { Length: > 0 } file)
        {
            File.WriteAllText(file, text);
        }
    }
}
