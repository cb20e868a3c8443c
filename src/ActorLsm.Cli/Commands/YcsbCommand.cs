using System.CommandLine;
using System.Globalization;
using ActorLsm.Cli.Ycsb;
using Spectre.Console;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm ycsb --workload FILE --phase load|run [-p name=value ...] [--threads N]
/// [--endpoint host:port | --embedded DIR] [--connections N] [--pool-completions] [--warmup-ops N] [--seed S] [--no-progress]</c>: one phase of a YCSB
/// CoreWorkload (see <see cref="CoreWorkload"/>) against a node or an in-process
/// <c>ShardedNode</c>; prints YCSB's report lines on stdout. Exit 1 when a load-phase insert
/// failed, 2 on bad arguments or workload properties.
/// </summary>
internal static class YcsbCommand
{
    public static Command Create()
    {
        var workload = new Option<string>("--workload") { Description = "YCSB workload property file (e.g. workloada)", Required = true };
        var phase = new Option<string>("--phase") { Description = "load (insert the records) or run (the operation mix)", Required = true };
        phase.AcceptOnlyFromAmong("load", "run");
        var properties = new Option<string[]>("-p") { Description = "Override a workload property: -p name=value (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var threads = new Option<int>("--threads") { Description = "Concurrent workers, each with one operation in flight", DefaultValueFactory = _ => 1 };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var embedded = new Option<string?>("--embedded") { Description = "Run in-process on a ShardedNode over this data directory instead of a node at --endpoint" };
        var connections = new Option<int>("--connections")
        {
            Description = "TCP connections per endpoint (requests are pipelined on each); default: the client's default",
            DefaultValueFactory = _ => new ActorLsm.Client.ActorLsmClientOptions().ConnectionsPerEndpoint,
        };
        var poolCompletions = new Option<bool>("--pool-completions")
        {
            Description = "Network only: resume the workers on the thread pool after each response (the client's default) instead of on the connection's reader",
        };
        var warmup = new Option<long>("--warmup-ops")
        {
            Description = "Run phase only: first run this many operations of the same mix, unmeasured, in the same process (JIT tiering, caches, connections), then the measured operationcount",
            DefaultValueFactory = _ => 0,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the workers' random streams", DefaultValueFactory = _ => 1 };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress bar on stderr" };
        var command = new Command("ycsb", "Run one phase of a YCSB CoreWorkload and print YCSB's report lines.")
        {
            workload, phase, properties, threads, endpoint, embedded, connections, poolCompletions, warmup, seed, noProgress,
        };
        command.SetAction((parse, cancellationToken) => CommandSupport.RunAsync(parse, "ycsb", async (output, ct) =>
        {
            int workers = parse.GetValue(threads);
            if (workers < 1)
            {
                throw new UsageException($"--threads must be >= 1, got {workers}");
            }

            int perEndpoint = parse.GetValue(connections);
            if (perEndpoint < 1)
            {
                throw new UsageException($"--connections must be >= 1, got {perEndpoint}");
            }

            string? dataDir = parse.GetValue(embedded);
            if (dataDir is not null && parse.GetResult(endpoint) is { Implicit: false })
            {
                throw new UsageException("give either --endpoint or --embedded, not both");
            }

            if (dataDir is { Length: 0 })
            {
                throw new UsageException("--embedded needs a data directory");
            }

            long warmupOps = parse.GetValue(warmup);
            if (warmupOps < 0)
            {
                throw new UsageException($"--warmup-ops must be >= 0, got {warmupOps}");
            }

            if (warmupOps > 0 && parse.GetValue(phase) == "load")
            {
                throw new UsageException("--warmup-ops applies to the run phase only (the load phase inserts each record once)");
            }

            string? address = dataDir is null ? string.Join(',', CommandSupport.ParseEndpoints(parse.GetValue(endpoint))) : null;
            YcsbPhase ycsbPhase = parse.GetValue(phase) == "load" ? YcsbPhase.Load : YcsbPhase.Run;
            WorkloadProperties props = WorkloadProperties.Load(parse.GetValue(workload)!, parse.GetValue(properties) ?? []);
            var core = new CoreWorkload(CoreWorkloadSettings.From(props), ycsbPhase);

            IYcsbStore store = dataDir is not null
                ? await EmbeddedYcsbStore.OpenAsync(dataDir, ct).ConfigureAwait(false)
                : new ClientYcsbStore(address!, perEndpoint, inlineCompletions: !parse.GetValue(poolCompletions));
            YcsbResult result;
            YcsbResult? warm = null;
            await using (store.ConfigureAwait(false))
            {
                if (warmupOps > 0)
                {
                    // Its own random streams (seed + 1); the measured pass then starts from the same seed as without a warm-up.
                    var warmupRunner = new YcsbRunner(store, core, workers, parse.GetValue(seed) + 1, warmupOps);
                    warm = await warmupRunner.RunAsync(ct).ConfigureAwait(false);
                    if (warm.FirstError is not null)
                    {
                        CommandSupport.Fail(parse.InvocationConfiguration.Error, "ycsb", $"warm-up: {warm.ErrorCount} operations failed; first: {warm.FirstError}");
                    }
                }

                var runner = new YcsbRunner(store, core, workers, parse.GetValue(seed));
                bool showProgress = !parse.GetValue(noProgress) && !Console.IsErrorRedirected;
                result = await RunWithProgressAsync(runner, ycsbPhase, showProgress, ct).ConfigureAwait(false);
            }

            YcsbReport.Write(output, result.RunTimeMs, result.Operations, result.Measurements);
            if (warm is not null)
            {
                // After the measured report, in its line format, so parsers that read [OVERALL] and the operations see no change.
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[WARMUP], RunTime(ms), {warm.RunTimeMs}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[WARMUP], Operations, {warm.Operations}"));
            }

            if (result.FirstError is not null)
            {
                CommandSupport.Fail(parse.InvocationConfiguration.Error, "ycsb", $"{result.ErrorCount} operations failed; first: {result.FirstError}");
            }

            return ycsbPhase == YcsbPhase.Load && result.InsertErrors > 0 ? CommandSupport.ExitFailure : CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }

    private static async Task<YcsbResult> RunWithProgressAsync(YcsbRunner runner, YcsbPhase phase, bool showProgress, CancellationToken cancellationToken)
    {
        Task<YcsbResult> run = runner.RunAsync(cancellationToken);
        if (!showProgress)
        {
            return await run.ConfigureAwait(false);
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(phase == YcsbPhase.Load ? "ycsb load" : "ycsb run", maxValue: Math.Max(1, runner.Total));
                while (!run.IsCompleted)
                {
                    task.Value = runner.Completed;
                    // Refresh cadence of the display only; completion is awaited below.
                    await Task.WhenAny(run, Task.Delay(200, CancellationToken.None)).ConfigureAwait(false);
                }

                task.Value = runner.Completed;
            }).ConfigureAwait(false);
        return await run.ConfigureAwait(false);
    }
}
