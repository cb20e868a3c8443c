using System.Globalization;

namespace ActorLsm.Cli.Tests;

public sealed class EmbeddedYcsbTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorlsm-ycsb-{Guid.NewGuid():N}");
    private readonly string _workload = WorkloadTexts.WriteTemp(WorkloadTexts.UpdateHeavy);

    public void Dispose()
    {
        File.Delete(_workload);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static Dictionary<string, long> Counts(string report, string metric) =>
        report.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(", "))
            .Where(parts => parts.Length == 3 && parts[1] == metric)
            .ToDictionary(parts => parts[0], parts => long.Parse(parts[2], CultureInfo.InvariantCulture));

    private async Task<(int Code, string Out, string Err)> YcsbAsync(string phase, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(
            ["ycsb", "--workload", _workload, "--phase", phase, "--embedded", _dir, "--threads", "4", "--no-progress", "-p", "recordcount=500", "-p", "operationcount=1000", .. extra],
            output,
            error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Ycsb_EmbeddedLoadThenRun_ReportsEveryOperationWithoutErrors()
    {
        (int loadCode, string load, string loadErr) = await YcsbAsync("load");
        Assert.True(loadCode == 0, loadErr);
        Assert.Equal(500, Counts(load, "Operations")["[INSERT]"]);
        Assert.Equal(500, Counts(load, "Return=OK")["[INSERT]"]);
        Assert.StartsWith("[OVERALL], RunTime(ms), ", load, StringComparison.Ordinal);

        (int runCode, string run, string runErr) = await YcsbAsync("run");
        Assert.True(runCode == 0, runErr);
        Dictionary<string, long> operations = Counts(run, "Operations");
        Assert.Equal(1000, operations.Values.Sum());
        Assert.Equal(["[READ]", "[UPDATE]"], operations.Keys.Order());
        Assert.Equal(1000, Counts(run, "Return=OK").Values.Sum());
        Assert.DoesNotContain("Return=ERROR", run, StringComparison.Ordinal);
        Assert.DoesNotContain("Return=NOT_FOUND", run, StringComparison.Ordinal);
        Assert.Contains("[OVERALL], Throughput(ops/sec), ", run, StringComparison.Ordinal);
        Assert.Equal(string.Empty, runErr);
    }

    [Fact]
    public async Task Ycsb_RunWithWarmup_ReportsOnlyTheMeasuredOperations()
    {
        (int loadCode, _, string loadErr) = await YcsbAsync("load");
        Assert.True(loadCode == 0, loadErr);

        (int runCode, string run, string runErr) = await YcsbAsync("run", "--warmup-ops", "700");

        Assert.True(runCode == 0, runErr);
        Dictionary<string, long> operations = Counts(run, "Operations");
        Assert.Equal(700, operations["[WARMUP]"]);
        Assert.Equal(1000, operations.Where(o => o.Key != "[WARMUP]").Sum(o => o.Value));
        Assert.Equal(1000, Counts(run, "Return=OK").Values.Sum());
        Assert.StartsWith("[OVERALL], RunTime(ms), ", run, StringComparison.Ordinal);
        Assert.Equal(string.Empty, runErr);
    }

    [Fact]
    public async Task Ycsb_WarmupInLoadPhase_UsageErrorAndNothingWritten()
    {
        (int code, string output, string err) = await YcsbAsync("load", "--warmup-ops", "10");

        Assert.Equal(2, code);
        Assert.Contains("--warmup-ops applies to the run phase only", err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(_dir) && Directory.EnumerateFileSystemEntries(_dir).Any());
    }
}
