using ActorLsm.Hosting;
using ActorLsm.Persistence.Hosting;
using ActorLsm.Testing;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Persistence.Tests;

/// <summary>
/// One Generic Host: an actor system "app" on 127.0.0.1 that is a data member of the store (WithActorLsm,
/// 4 shards, RF 3, min-insync 2) and runs the persistence plugins in cluster mode, with fast test timers.
/// <see cref="CrashAsync"/> stops it without leaving the cluster (no coordinated shutdown), as a crash would.
/// </summary>
internal sealed class ClusterHost : IAsyncDisposable
{
    public const int Shards = 4;
    private bool _stopped;

    private ClusterHost(IHost host) => Host = host;

    public IHost Host { get; }

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public ActorLsmMember Member => ActorLsmMember.For(System) ?? throw new InvalidOperationException("no member started");

    public static async Task<ClusterHost> StartAsync(string dataDir, int port, IReadOnlyList<int> seedPorts, string extraHocon = "")
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("ACTORLSM_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole();
        }

        builder.Services.AddAkka("app", (akka, _) =>
        {
            akka.ConfigureLoggers(l => l.AddLoggerFactory());
            akka.AddHocon(
                extraHocon + "\n" + FastClusterTimings.Hocon + "\n" + """
                akka {
                  loglevel = WARNING
                  cluster {
                    min-nr-of-members = 3
                    seed-node-timeout = 1s
                    retry-unsuccessful-join-after = 1s
                    run-coordinated-shutdown-when-down = off
                  }
                  # Host.StopAsync still runs coordinated shutdown (graceful leave); ActorSystem.Terminate alone is a crash.
                  coordinated-shutdown.run-by-actor-system-terminate = off
                }
                actorlsm.cluster {
                  versions.broadcast-interval = 100ms
                  singleton.epoch-ack-timeout = 500ms
                  replication {
                    replica-lag-time-max = 10s
                    heartbeat-interval = 50ms
                    resend-timeout = 700ms
                  }
                }
                akka.persistence.snapshot-store.actorlsm.chunk-size = 1KiB
                """,
                HoconAddMode.Prepend);
            akka.WithRemoting("127.0.0.1", port);
            akka.WithClustering(new ClusterOptions
            {
                Roles = ["actorlsm"],
                SeedNodes = [.. seedPorts.Select(p => $"akka.tcp://app@127.0.0.1:{p}")],
            });
            akka.WithActorLsm(o =>
            {
                o.DataDirectory = dataDir;
                o.ShardCount = Shards;
                o.ReplicationFactor = 3;
                o.MinInSyncReplicas = 2;
                o.RequestTimeout = TimeSpan.FromSeconds(10);
            });
            akka.WithActorLsmPersistence(ActorLsmStoreMode.Cluster);
        });
        IHost host = builder.Build();
        await host.StartAsync();
        return new ClusterHost(host);
    }

    /// <summary>
    /// Terminates the actor system without coordinated shutdown: the member does not leave, its shards are
    /// not closed; the others see it unreachable and the split-brain resolver downs it.
    /// </summary>
    public async Task CrashAsync()
    {
        _stopped = true;
        await System.Terminate();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await Host.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // A host that does not stop in time is left to the process's end.
            }
        }

        Host.Dispose();
    }
}
