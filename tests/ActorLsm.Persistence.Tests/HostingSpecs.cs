using ActorLsm.Persistence.Hosting;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Hosting;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Persistence.Tests;

/// <summary>WithActorLsmPersistence: the HOCON it writes, and a persistent actor on it in a Generic Host.</summary>
public sealed class HostingSpecs
{
    [Fact]
    public void BuildHocon_CustomIdentifierAsDefault_NamesClassesModeDirAndDefaults()
    {
        Config config = ActorLsmPersistenceHostingExtensions.BuildHocon(ActorLsmStoreMode.Cluster, "/var/data", PersistenceMode.Both, "ledger", isDefaultPlugin: true);
        Assert.Equal("ActorLsm.Persistence.ActorLsmJournal, ActorLsm.Persistence", config.GetString("akka.persistence.journal.ledger.class"));
        Assert.Equal("ActorLsm.Persistence.ActorLsmSnapshotStore, ActorLsm.Persistence", config.GetString("akka.persistence.snapshot-store.ledger.class"));
        Assert.Equal("ActorLsm.Persistence.Query.ActorLsmReadJournalProvider, ActorLsm.Persistence", config.GetString("akka.persistence.query.journal.ledger.class"));
        Assert.Equal("akka.persistence.journal.ledger", config.GetString("akka.persistence.query.journal.ledger.write-plugin"));
        Assert.Equal("cluster", config.GetString("akka.persistence.journal.ledger.mode"));
        Assert.Equal("/var/data", config.GetString("akka.persistence.snapshot-store.ledger.data-dir"));
        Assert.Equal("akka.persistence.journal.ledger", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.ledger", config.GetString("akka.persistence.snapshot-store.plugin"));
    }

    [Fact]
    public void BuildHocon_JournalOnlyNotDefault_LeavesSnapshotStoreAndDefaultsAlone()
    {
        Config config = ActorLsmPersistenceHostingExtensions.BuildHocon(ActorLsmStoreMode.Embedded, null, PersistenceMode.Journal, "actorlsm", isDefaultPlugin: false);
        Assert.Equal("embedded", config.GetString("akka.persistence.journal.actorlsm.mode"));
        Assert.False(config.HasPath("akka.persistence.journal.actorlsm.data-dir"));
        Assert.False(config.HasPath("akka.persistence.snapshot-store.actorlsm"));
        Assert.False(config.HasPath("akka.persistence.journal.plugin"));
    }

    [Fact]
    public void BuildHocon_IdentifierWithADot_Throws() =>
        Assert.Throws<ArgumentException>(() => ActorLsmPersistenceHostingExtensions.BuildHocon(ActorLsmStoreMode.Embedded, null, PersistenceMode.Both, "a.b", isDefaultPlugin: true));

    [Fact]
    public async Task WithActorLsmPersistence_EmbeddedUnderCustomId_PersistentActorRecoversAfterHostRestart()
    {
        using var dir = new TestDirectory();
        string[] first = await RunLedgerAsync(dir.Path, ["a", "b", "c"]);
        Assert.Empty(first);
        string[] second = await RunLedgerAsync(dir.Path, ["d"]);
        Assert.Equal(["a", "b", "c"], second);
        Assert.Equal(["a", "b", "c", "d"], await RunLedgerAsync(dir.Path, []));
    }

    /// <summary>Starts a host, recovers the ledger, appends <paramref name="append"/>, stops the host; returns the recovered entries.</summary>
    private static async Task<string[]> RunLedgerAsync(string dataDir, string[] append)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("hosted", (akka, _) => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithActorLsmPersistence(ActorLsmStoreMode.Embedded, dataDirectory: dataDir, pluginIdentifier: "ledger"));
        using IHost host = builder.Build();
        await host.StartAsync();
        ActorSystem system = host.Services.GetRequiredService<ActorSystem>();
        using var kit = new TestKit(system);
        TestProbe probe = kit.CreateTestProbe();
        IActorRef ledger = system.ActorOf(LedgerActor.Props("hosted-ledger", probe.Ref));
        Recovered recovered = probe.ExpectMsg<Recovered>(TimeSpan.FromSeconds(10));
        foreach (string entry in append)
        {
            ledger.Tell(entry);
            probe.ExpectMsg<Appended>(TimeSpan.FromSeconds(10));
        }

        await host.StopAsync();
        return [.. recovered.Entries];
    }
}
