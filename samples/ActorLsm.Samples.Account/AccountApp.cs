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

/// <summary>Where the sample keeps its events.</summary>
/// <param name="DataDirectory">The journal's store (embedded) or this member's shards (cluster).</param>
/// <param name="ClusterPort">Cluster mode: this member's Akka.Remote port on 127.0.0.1; null: embedded mode.</param>
/// <param name="SeedPorts">Cluster mode: the seed members' ports on 127.0.0.1.</param>
public sealed record AccountAppOptions(string DataDirectory, int? ClusterPort = null, IReadOnlyList<int>? SeedPorts = null);

/// <summary>Registry key of the account actor.</summary>
public sealed class AccountRef;

/// <summary>
/// The sample application: a Generic Host with Akka.Hosting, the ActorLsm journal and snapshot store
/// (<c>WithActorLsmPersistence</c>) and one <see cref="AccountActor"/> at <c>/user/account</c>.
/// </summary>
public static class AccountApp
{
    /// <summary>The account every command of the sample goes to.</summary>
    public const string AccountId = "42";

    /// <summary>
    /// The host builder, actor system "bank". Embedded: the journal on a local store in
    /// <see cref="AccountAppOptions.DataDirectory"/>. Cluster: this process is a member of a three-member
    /// cluster on 127.0.0.1 that holds the store (<c>WithActorLsm</c>), and the journal goes to the
    /// replicated shards.
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
            if (options.ClusterPort is { } port)
            {
                akka.AddHocon("akka.cluster.min-nr-of-members = 3\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = on", HoconAddMode.Prepend);
                akka.WithRemoting("127.0.0.1", port);
                akka.WithClustering(new ClusterOptions
                {
                    Roles = ["actorlsm"],
                    SeedNodes = [.. (options.SeedPorts ?? [port]).Select(p => $"akka.tcp://bank@127.0.0.1:{p}")],
                });
                akka.WithActorLsm(o =>
                {
                    o.DataDirectory = options.DataDirectory;
                    o.ShardCount = 4;
                });
                akka.WithActorLsmPersistence(ActorLsmStoreMode.Cluster);
            }
            else
            {
                akka.WithActorLsmPersistence(ActorLsmStoreMode.Embedded, dataDirectory: options.DataDirectory);
            }

            akka.WithActors((system, registry) => registry.Register<AccountRef>(system.ActorOf(AccountActor.Props(AccountId), "account")));
        });
        return builder;
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
}
