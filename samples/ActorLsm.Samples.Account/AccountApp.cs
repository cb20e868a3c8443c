using ActorLsm.Cluster.Sharding;
using ActorLsm.Hosting;
using ActorLsm.Persistence.Hosting;
using ActorLsm.Persistence.Query;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Query;
using Akka.Remote.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Samples.Account;

/// <summary>How the sample configures the persistence plugins: the two ways the top-level README shows.</summary>
public enum AccountConfigStyle
{
    /// <summary><c>WithActorLsmPersistence(...)</c> (Akka.Hosting).</summary>
    Hosting,

    /// <summary>The README's HOCON (<see cref="AccountApp.EmbeddedHocon"/> or <see cref="AccountApp.ClusterHocon"/>) through <c>AddHocon</c>.</summary>
    Hocon,
}

/// <summary>Where the sample keeps its events. Data goes under the working directory: <c>data/journal</c> (embedded) or <c>data/actorlsm</c> (cluster).</summary>
/// <param name="ClusterPort">Cluster mode: this member's Akka.Remote port on 127.0.0.1; null: embedded mode.</param>
/// <param name="SeedPorts">Cluster mode: the seed members' ports on 127.0.0.1 (default: this member alone).</param>
/// <param name="Style">Hosting call or pasted HOCON.</param>
/// <param name="ExtraHocon">HOCON put in front of everything else (tuning, e.g. faster failure detection in tests); null: none.</param>
public sealed record AccountAppOptions(int? ClusterPort = null, IReadOnlyList<int>? SeedPorts = null, AccountConfigStyle Style = AccountConfigStyle.Hosting, string? ExtraHocon = null);

/// <summary>Registry key of the account actor.</summary>
public sealed class AccountRef;

/// <summary>
/// The sample application: a Generic Host with Akka.Hosting, the ActorLsm journal and snapshot store and
/// one <see cref="AccountActor"/> at <c>/user/account</c>. Its four configurations are, line for line, the
/// ones of the top-level README's "Persistence" section (a test checks that they match).
/// </summary>
public static class AccountApp
{
    /// <summary>The account every command of the sample goes to.</summary>
    public const string AccountId = "42";

    /// <summary>The README's HOCON for embedded mode: the journal and snapshot store in one local store under <c>data/journal</c>.</summary>
    public const string EmbeddedHocon = """
        akka.persistence {
          journal.plugin = "akka.persistence.journal.actorlsm"
          snapshot-store.plugin = "akka.persistence.snapshot-store.actorlsm"
          journal.actorlsm {
            class = "ActorLsm.Persistence.ActorLsmJournal, ActorLsm.Persistence"
            mode = embedded
            data-dir = "data/journal"
          }
          snapshot-store.actorlsm {
            class = "ActorLsm.Persistence.ActorLsmSnapshotStore, ActorLsm.Persistence"
            mode = embedded
            data-dir = "data/journal"
          }
          query.journal.actorlsm {
            class = "ActorLsm.Persistence.Query.ActorLsmReadJournalProvider, ActorLsm.Persistence"
          }
        }
        """;

    /// <summary>The README's HOCON for cluster mode: the plugins on the replicated shards this cluster holds (WithActorLsm).</summary>
    public const string ClusterHocon = """
        akka.persistence {
          journal.plugin = "akka.persistence.journal.actorlsm"
          snapshot-store.plugin = "akka.persistence.snapshot-store.actorlsm"
          journal.actorlsm {
            class = "ActorLsm.Persistence.ActorLsmJournal, ActorLsm.Persistence"
            mode = cluster
          }
          snapshot-store.actorlsm {
            class = "ActorLsm.Persistence.ActorLsmSnapshotStore, ActorLsm.Persistence"
            mode = cluster
          }
          query.journal.actorlsm {
            class = "ActorLsm.Persistence.Query.ActorLsmReadJournalProvider, ActorLsm.Persistence"
          }
        }
        """;

    /// <summary>
    /// The host builder, actor system "bank". Embedded: the journal on a local store in <c>data/journal</c>.
    /// Cluster: this process is a member of a cluster on 127.0.0.1 that holds the store (<c>WithActorLsm</c>,
    /// shards in <c>data/actorlsm</c>, three replicas per shard), and the journal goes to the replicated
    /// shards. The account actor is started by <see cref="StartAccountAsync"/>, once the store can serve it.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(AccountAppOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args ?? [], DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("bank", (akka, _) =>
        {
            akka.ConfigureLoggers(l => l.AddLoggerFactory());
            if (options.ExtraHocon is { } extra)
            {
                akka.AddHocon(extra, HoconAddMode.Prepend);
            }

            if (options.ClusterPort is not { } port)
            {
                if (options.Style == AccountConfigStyle.Hosting)
                {
                    akka.WithActorLsmPersistence(ActorLsmStoreMode.Embedded, dataDirectory: "data/journal");
                }
                else
                {
                    akka.AddHocon(EmbeddedHocon, HoconAddMode.Prepend);
                }

                return;
            }

            string[] seedNodes = [.. (options.SeedPorts ?? [port]).Select(p => $"akka.tcp://bank@127.0.0.1:{p}")];
            akka.AddHocon("akka.cluster.min-nr-of-members = 3", HoconAddMode.Prepend)
                .WithRemoting("127.0.0.1", port)
                .WithClustering(new ClusterOptions { Roles = ["actorlsm"], SeedNodes = seedNodes })
                .WithActorLsm(o => o.DataDirectory = "data/actorlsm");
            if (options.Style == AccountConfigStyle.Hosting)
            {
                akka.WithActorLsmPersistence(ActorLsmStoreMode.Cluster);
            }
            else
            {
                akka.AddHocon(ClusterHocon, HoconAddMode.Prepend);
            }
        });
        return builder;
    }

    /// <summary>
    /// Starts the account actor (recovering its events) and registers it under <see cref="AccountRef"/>. In
    /// cluster mode it first waits until this member is Up and every shard of the store has an available
    /// leader: an actor that recovers earlier fails its recovery (the journal's reads fail with UNAVAILABLE)
    /// and stops.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the store was ready.</exception>
    public static async Task StartAccountAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ActorSystem system = services.GetRequiredService<ActorSystem>();
        if (system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
        {
            await WhenStoreReadyAsync(system, cancellationToken);
        }

        services.GetRequiredService<ActorRegistry>().Register<AccountRef>(system.ActorOf(AccountActor.Props(AccountId), "account"));
    }

    /// <summary>Deposits <paramref name="amount"/> cents as deposit <paramref name="depositId"/>; returns once it is stored.</summary>
    public static async Task<DepositAccepted> DepositAsync(IServiceProvider services, long depositId, long amount, CancellationToken cancellationToken = default)
    {
        IActorRef account = await services.GetRequiredService<ActorRegistry>().GetAsync<AccountRef>(cancellationToken);
        return await account.Ask<DepositAccepted>(new Deposit(depositId, amount), TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>The account's state (after its recovery).</summary>
    public static async Task<AccountState> GetAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        IActorRef account = await services.GetRequiredService<ActorRegistry>().GetAsync<AccountRef>(cancellationToken);
        return await account.Ask<AccountState>(GetAccount.Instance, TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>How many events tagged <c>deposits</c> the read journal finds (CurrentEventsByTag from the start).</summary>
    public static async Task<long> CountTaggedDepositsAsync(IServiceProvider services)
    {
        ActorSystem system = services.GetRequiredService<ActorSystem>();
        ActorLsmReadJournal queries = PersistenceQuery.Get(system).ReadJournalFor<ActorLsmReadJournal>(ActorLsmReadJournal.Identifier);
        return await queries.CurrentEventsByTag(AccountActor.DepositsTag, Offset.NoOffset())
            .RunAggregate(0L, (n, _) => n + 1, system.Materializer());
    }

    /// <summary>Completes once this member is Up and its view of the store's shard map has an available leader for every shard.</summary>
    private static async Task WhenStoreReadyAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(cancellationToken);

        ActorLsmMember member = ActorLsmMember.For(system) ?? throw new InvalidOperationException("WithActorLsm started no member in this actor system");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (member.View?.ShardMap is { } map && map.Shards.All(static (ShardAssignment a) => a.Available && a.Leader is not null))
            {
                ready.TrySetResult();
            }
        }

        member.View!.Changed += Check;
        try
        {
            Check();
            await ready.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            member.View.Changed -= Check;
        }
    }
}
