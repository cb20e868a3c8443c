using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Akka.Actor;

namespace ActorLsm.Benchmarks.Persistence;

/// <summary>One measured scenario: its name and the median throughput of its rounds, in events per second.</summary>
public sealed record BenchResult(string Scenario, double MessagesPerSecond, IReadOnlyList<double> Rounds, string? Error = null);

/// <summary>
/// The journal benchmark, in the shape of the Akka.Persistence TCK's JournalPerfSpec (our own code): one
/// persistent actor and 10,000 events per round for Persist, PersistAll, PersistAsync, PersistAllAsync; K
/// actors with 10,000 / K events each for PersistGroupK; and Recovering, the replay of 10,000 events by a
/// new incarnation of one actor. Each scenario runs one warm-up round and then <c>rounds</c> measured
/// rounds; the figure is the median round's events per second (wall clock from the first command sent to
/// the last event's handler having run).
/// </summary>
public static class JournalBench
{
    private static readonly TimeSpan s_roundTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The scenario names, in the order they run and are printed.</summary>
    public static IReadOnlyList<string> Scenarios { get; } =
    [
        "Persist", "PersistAll", "PersistAsync", "PersistAllAsync",
        "PersistGroup10", "PersistGroup25", "PersistGroup50", "PersistGroup100", "PersistGroup200",
        "Recovering",
    ];

    /// <summary>
    /// Runs <paramref name="scenarios"/> against the journal of <paramref name="system"/> (its default plugin);
    /// prints a line per scenario to <paramref name="log"/> as it finishes.
    /// </summary>
    /// <param name="system">An actor system whose default journal is the one measured.</param>
    /// <param name="events">Events per round (10,000 in the TCK).</param>
    /// <param name="rounds">Measured rounds per scenario (after one warm-up round).</param>
    /// <param name="scenarios">Names from <see cref="Scenarios"/>.</param>
    /// <param name="log">Progress output.</param>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(ActorSystem system, int events, int rounds, IEnumerable<string> scenarios, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(log);
        var results = new List<BenchResult>();
        string run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        foreach (string scenario in scenarios)
        {
            BenchResult result;
            try
            {
                List<double> figures = await RunScenarioAsync(system, scenario, run, events, rounds).ConfigureAwait(false);
                result = new BenchResult(scenario, Median(figures), figures);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or AskTimeoutException)
            {
                result = new BenchResult(scenario, 0, [], e.Message);
            }

            results.Add(result);
            await log.WriteLineAsync(result.Error is null
                ? $"  {scenario,-16} {result.MessagesPerSecond,12:N0} msg/s   rounds: {string.Join(", ", result.Rounds.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}"
                : $"  {scenario,-16} failed: {result.Error}").ConfigureAwait(false);
        }

        return results;
    }

    private static async Task<List<double>> RunScenarioAsync(ActorSystem system, string scenario, string run, int events, int rounds)
    {
        if (scenario == "Recovering")
        {
            return await RecoveringAsync(system, run, events, rounds).ConfigureAwait(false);
        }

        if (scenario.StartsWith("PersistGroup", StringComparison.Ordinal))
        {
            int actors = int.Parse(scenario.AsSpan("PersistGroup".Length), CultureInfo.InvariantCulture);
            return await GroupAsync(system, run, actors, Math.Max(1, events / actors), rounds).ConfigureAwait(false);
        }

        BenchMode mode = Enum.Parse<BenchMode>(scenario);
        var done = Channel.CreateUnbounded<int>();
        IActorRef actor = system.ActorOf(JournalBenchActor.Props($"bench-{run}-{scenario}", done.Writer, events), $"bench-{scenario}-{run}");
        try
        {
            var figures = new List<double>();
            for (int round = 0; round <= rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 1; i <= events; i++)
                {
                    actor.Tell(new BenchCommand(mode, i));
                }

                await ReadAsync(done.Reader, scenario).ConfigureAwait(false);
                watch.Stop();
                actor.Tell(ResetCounter.Instance);
                if (round > 0)
                {
                    figures.Add(events / watch.Elapsed.TotalSeconds);
                }
            }

            return figures;
        }
        finally
        {
            await actor.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    private static async Task<List<double>> GroupAsync(ActorSystem system, string run, int actorCount, int eventsEach, int rounds)
    {
        var done = Channel.CreateUnbounded<int>();
        IActorRef[] actors = [.. Enumerable.Range(0, actorCount).Select(a =>
            system.ActorOf(JournalBenchActor.Props($"bench-{run}-group{actorCount}-{a}", done.Writer, eventsEach), $"bench-group{actorCount}-{a}-{run}"))];
        try
        {
            var figures = new List<double>();
            for (int round = 0; round <= rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 1; i <= eventsEach; i++)
                {
                    foreach (IActorRef actor in actors)
                    {
                        actor.Tell(new BenchCommand(BenchMode.Persist, i));
                    }
                }

                for (int a = 0; a < actorCount; a++)
                {
                    await ReadAsync(done.Reader, $"PersistGroup{actorCount}").ConfigureAwait(false);
                }

                watch.Stop();
                foreach (IActorRef actor in actors)
                {
                    actor.Tell(ResetCounter.Instance);
                }

                if (round > 0)
                {
                    figures.Add(eventsEach * (double)actorCount / watch.Elapsed.TotalSeconds);
                }
            }

            return figures;
        }
        finally
        {
            await Task.WhenAll(actors.Select(a => a.GracefulStop(TimeSpan.FromSeconds(30)))).ConfigureAwait(false);
        }
    }

    private static async Task<List<double>> RecoveringAsync(ActorSystem system, string run, int events, int rounds)
    {
        string persistenceId = $"bench-{run}-recovering";
        var done = Channel.CreateUnbounded<int>();

        // Fill: the events the later incarnations replay, written with PersistAll.
        IActorRef writer = system.ActorOf(JournalBenchActor.Props(persistenceId, done.Writer, events), $"bench-recovering-writer-{run}");
        for (int i = 1; i <= events; i++)
        {
            writer.Tell(new BenchCommand(BenchMode.PersistAll, i));
        }

        await ReadAsync(done.Reader, "Recovering (fill)").ConfigureAwait(false);
        await writer.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var figures = new List<double>();
        for (int round = 0; round <= rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            IActorRef reader = system.ActorOf(JournalBenchActor.Props(persistenceId, done.Writer, int.MaxValue, reportRecovery: true), $"bench-recovering-{run}-{round}");
            int replayed = await ReadAsync(done.Reader, "Recovering").ConfigureAwait(false);
            watch.Stop();
            await reader.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (replayed != events)
            {
                throw new InvalidOperationException($"recovery replayed {replayed} events, {events} were persisted");
            }

            if (round > 0)
            {
                figures.Add(events / watch.Elapsed.TotalSeconds);
            }
        }

        return figures;
    }

    private static async Task<int> ReadAsync(ChannelReader<int> reader, string scenario)
    {
        using var timeout = new CancellationTokenSource(s_roundTimeout);
        try
        {
            return await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{scenario}: no completion within {s_roundTimeout.TotalSeconds} s");
        }
    }

    private static double Median(List<double> figures)
    {
        if (figures.Count == 0)
        {
            return 0;
        }

        double[] sorted = [.. figures.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
