using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Hosting;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Benchmarks.Persistence;

/// <summary>
/// <c>journal-bench</c>: runs <see cref="JournalBench"/> against the journal in each target and prints one
/// table. Targets: <c>embedded</c> (one Akka.Hosting host, the journal on a local store), <c>cluster</c>
/// (three Akka.Hosting hosts on 127.0.0.1 forming one cluster with WithActorLsm, replication factor 3,
/// min-insync-replicas 2; the benchmark actors run on the first host) and <c>inmem</c> (Akka's in-memory
/// journal: the ceiling Akka.Persistence itself sets on this machine).
/// </summary>
/// <remarks>
/// Usage: <c>journal-bench [--targets embedded,cluster,inmem] [--events 10000] [--rounds 3]
/// [--scenarios Persist,PersistAll,...] [--dir DIR] [--hocon TEXT]</c>; <c>--hocon</c> is put in front of every
/// host's configuration (e.g. <c>akka.persistence.journal.actorlsm.wait-for-index = off</c>). Data goes to a fresh directory under DIR (default:
/// the temp directory), deleted afterwards.
/// </remarks>
public static class JournalBenchProgram
{
    /// <summary>Parses <paramref name="args"/>, runs, prints; 0 on success, 2 on bad arguments.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        string[] targets = ["embedded", "cluster"];
        int events = 10_000;
        int rounds = 3;
        IReadOnlyList<string> scenarios = JournalBench.Scenarios;
        string root = Path.GetTempPath();
        string hocon = string.Empty;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--targets": targets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--events": events = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scenarios": scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--dir": root = Next(); break;
                case "--hocon": hocon = Next(); break;
                default:
                    await Console.Error.WriteLineAsync($"journal-bench: unknown argument {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }

        if (scenarios.FirstOrDefault(s => !JournalBench.Scenarios.Contains(s)) is { } unknown)
        {
            await Console.Error.WriteLineAsync($"journal-bench: unknown scenario {unknown} (known: {string.Join(", ", JournalBench.Scenarios)})").ConfigureAwait(false);
            return 2;
        }

        var table = new Dictionary<string, IReadOnlyList<BenchResult>>();
        foreach (string target in targets)
        {
            string dir = Path.Combine(root, $"actorlsm-journal-bench-{target}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            try
            {
                Console.WriteLine($"{target}: starting ({events} events per round, {rounds} measured rounds after a warm-up)");
                IHost[] hosts = await StartAsync(target, dir, hocon).ConfigureAwait(false);
                try
                {
                    ActorSystem system = hosts[0].Services.GetRequiredService<ActorSystem>();
                    table[target] = await JournalBench.RunAsync(system, events, rounds, scenarios, Console.Out).ConfigureAwait(false);
                }
                finally
                {
                    foreach (IHost host in hosts.Reverse())
                    {
                        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                        await host.StopAsync(stop.Token).ConfigureAwait(false);
                        host.Dispose();
                    }
                }
            }
            finally
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // A file still open after a slow stop stays behind in the temp directory.
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| scenario (msg/s) | {string.Join(" | ", table.Keys)} |");
        Console.WriteLine($"|---|{string.Concat(table.Keys.Select(_ => "---:|"))}");
        foreach (string scenario in scenarios)
        {
            IEnumerable<string> cells = table.Values.Select(results =>
                results.FirstOrDefault(r => r.Scenario == scenario) is { Error: null } r ? r.MessagesPerSecond.ToString("N0", CultureInfo.InvariantCulture) : "failed");
            Console.WriteLine($"| {scenario} | {string.Join(" | ", cells)} |");
        }

        return 0;
    }

    private static async Task<IHost[]> StartAsync(string target, string dir, string hocon)
    {
        Task<IHost> StartHostAsync(Action<AkkaConfigurationBuilder> configure) => JournalBenchProgram.StartHostAsync(akka =>
        {
            if (hocon.Length > 0)
            {
                akka.AddHocon(hocon, HoconAddMode.Prepend);
            }

            configure(akka);
        });

        switch (target)
        {
            case "inmem":
                return [await StartHostAsync(akka => akka.AddHocon(
                    """
                    akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                    """,
                    HoconAddMode.Prepend)).ConfigureAwait(false)];
            case "embedded":
                return [await StartHostAsync(akka => PersistenceTargets.Embedded(akka, Path.Combine(dir, "journal"))).ConfigureAwait(false)];
            case "cluster":
                int[] ports = [FreePort(), FreePort(), FreePort()];
                IHost[] hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => StartHostAsync(akka =>
                {
                    akka.AddHocon(
                        """
                        akka.loglevel = WARNING
                        akka.cluster.min-nr-of-members = 3
                        akka.cluster.seed-node-timeout = 1s
                        akka.cluster.retry-unsuccessful-join-after = 1s
                        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                        """,
                        HoconAddMode.Prepend);
                    akka.WithRemoting("127.0.0.1", ports[i]);
                    akka.WithClustering(new ClusterOptions { Roles = ["actorlsm"], SeedNodes = [.. ports.Select(p => $"akka.tcp://bench@127.0.0.1:{p}")] });
                    akka.WithActorLsm(o =>
                    {
                        o.DataDirectory = Path.Combine(dir, "member" + i);
                        o.ShardCount = 16;
                        o.ReplicationFactor = 3;
                        o.MinInSyncReplicas = 2;
                    });
                    PersistenceTargets.Cluster(akka);
                }))).ConfigureAwait(false);
                await AwaitReplicatedAsync(hosts).ConfigureAwait(false);
                return hosts;
            default:
                throw new ArgumentException($"unknown target {target} (embedded, cluster, inmem)");
        }
    }

    private static async Task AwaitReplicatedAsync(IHost[] hosts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            bool ready = hosts.All(h =>
                ActorLsmMember.For(h.Services.GetRequiredService<ActorSystem>())?.View?.ShardMap is { } map
                && map.Shards.All(s => s.Available && s.Leader is not null && s.InSync.Count == 3));
            if (ready)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the three members did not replicate every shard within 120 s");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<IHost> StartHostAsync(Action<AkkaConfigurationBuilder> configure)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("bench", (akka, _) =>
        {
            akka.ConfigureLoggers(l => l.AddLoggerFactory());
            configure(akka);
        });
        IHost host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return host;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
