using ActorLsm.Testing;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Hosting.Tests;

/// <summary>One Generic Host running an actor system with WithActorLsm (single node, or a cluster member on 127.0.0.1).</summary>
internal sealed class HostedStore : IAsyncDisposable
{
    private HostedStore(IHost host) => Host = host;

    public IHost Host { get; }

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public IActorLsm Store => Host.Services.GetRequiredService<IActorLsm>();

    public ActorLsmMember Member => ActorLsmMember.For(System) ?? throw new InvalidOperationException("no member started");

    public IActorRef Router => Host.Services.GetRequiredService<IRequiredActor<ActorLsmRouter>>().ActorRef;

    /// <summary>A single node (local provider) with <paramref name="shards"/> shards in <paramref name="dataDir"/>.</summary>
    public static Task<HostedStore> StartSingleAsync(string dataDir, int shards) =>
        StartAsync(akka => akka.WithActorLsm(o =>
        {
            o.DataDirectory = dataDir;
            o.ShardCount = shards;
        }));

    /// <summary>A cluster member named "shop" on 127.0.0.1:<paramref name="port"/>, with fast test timers.</summary>
    public static Task<HostedStore> StartMemberAsync(string dataDir, int port, IReadOnlyList<int> seedPorts, int shards, bool proxy = false) =>
        StartAsync(akka =>
        {
            akka.AddHocon(
                FastClusterTimings.Hocon + "\n" + """
                akka {
                  loglevel = WARNING
                  cluster {
                    min-nr-of-members = 3
                    seed-node-timeout = 1s
                    retry-unsuccessful-join-after = 1s
                  }
                }
                actorlsm.cluster {
                  versions.broadcast-interval = 100ms
                  singleton.epoch-ack-timeout = 500ms
                  replication {
                    replica-lag-time-max = 3s
                    heartbeat-interval = 50ms
                    resend-timeout = 700ms
                  }
                }
                """,
                HoconAddMode.Prepend);
            akka.WithRemoting("127.0.0.1", port);
            akka.WithClustering(new ClusterOptions
            {
                Roles = proxy ? ["web"] : ["actorlsm"],
                SeedNodes = [.. seedPorts.Select(p => $"akka.tcp://shop@127.0.0.1:{p}")],
            });
            if (proxy)
            {
                akka.WithActorLsmProxy();
            }
            else
            {
                akka.WithActorLsm(o =>
                {
                    o.DataDirectory = dataDir;
                    o.ShardCount = shards;
                    o.ReplicationFactor = 3;
                    o.MinInSyncReplicas = 2;
                    o.RequestTimeout = TimeSpan.FromSeconds(10);
                });
            }
        });

    private static async Task<HostedStore> StartAsync(Action<AkkaConfigurationBuilder> configure)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("ACTORLSM_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole();
        }

        builder.Services.AddAkka("shop", (akka, _) =>
        {
            akka.ConfigureLoggers(l => l.AddLoggerFactory());
            configure(akka);
        });
        builder.Services.AddActorLsmClient();
        IHost host = builder.Build();
        await host.StartAsync();
        return new HostedStore(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(timeout.Token);
        Host.Dispose();
    }
}
