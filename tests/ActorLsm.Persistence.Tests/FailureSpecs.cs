using ActorLsm.Persistence.Storage;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorLsm.Persistence.Tests;

/// <summary>Store failures reach the persistent actor as OnPersistFailure, within the configured timeout, never as a hang.</summary>
public sealed class FailureSpecs
{
    [Fact]
    public void Persist_ClusterModeWithNoStoreRouter_FailsWithOnPersistFailureAfterRequestTimeout()
    {
        // mode = cluster, but this system runs neither WithActorLsm nor WithActorLsmProxy: no router ever
        // registers, as when the cluster is unreachable; each request gives up after request-timeout.
        Config config = ConfigurationFactory.ParseString("""
            akka.loglevel = ERROR
            akka.persistence.journal.plugin = "akka.persistence.journal.actorlsm"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.actorlsm"
            akka.persistence.journal.actorlsm { mode = cluster, request-timeout = 1s }
            akka.persistence.snapshot-store.actorlsm { mode = cluster, request-timeout = 1s }
            """).WithFallback(ActorLsmPersistence.DefaultConfig);
        using var kit = new TestKit(config);
        TestProbe probe = kit.CreateTestProbe();
        IActorRef ledger = kit.Sys.ActorOf(LedgerActor.Props("unreachable-1", probe.Ref));

        // Recovery itself needs the store: it fails, and the actor stops (Akka's OnRecoveryFailure).
        probe.Watch(ledger);
        probe.ExpectTerminated(ledger, TimeSpan.FromSeconds(15));

        // A write without recovery: straight to the journal.
        IActorRef journal = Akka.Persistence.Persistence.Instance.Apply(kit.Sys).JournalFor(null);
        journal.Tell(new Akka.Persistence.WriteMessages(
            [new Akka.Persistence.AtomicWrite(new Akka.Persistence.Persistent("x", 1, "unreachable-2", string.Empty, false, ActorRefs.NoSender, "w"))], probe.Ref, 1), probe.Ref);
        Akka.Persistence.WriteMessagesFailed failed = probe.ExpectMsg<Akka.Persistence.WriteMessagesFailed>(TimeSpan.FromSeconds(15));
        Assert.Contains("request-timeout", failed.Cause.ToString(), StringComparison.Ordinal);
        probe.ExpectMsg<Akka.Persistence.WriteMessageFailure>(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Persist_EmbeddedStoreGone_FailsWithOnPersistFailure()
    {
        using var dir = new TestDirectory();
        Config config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = ERROR
            akka.persistence.journal.plugin = "akka.persistence.journal.actorlsm"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.actorlsm"
            akka.persistence.journal.actorlsm.data-dir = "{{dir.Path}}"
            akka.persistence.snapshot-store.actorlsm.data-dir = "{{dir.Path}}"
            """).WithFallback(ActorLsmPersistence.DefaultConfig);
        using var kit = new TestKit(config);
        TestProbe probe = kit.CreateTestProbe();
        IActorRef ledger = kit.Sys.ActorOf(LedgerActor.Props("gone-1", probe.Ref));
        probe.ExpectMsg<Recovered>(TimeSpan.FromSeconds(10));
        ledger.Tell("first");
        probe.ExpectMsg<Appended>(TimeSpan.FromSeconds(10));

        // The store closes under the journal (as when its disk fails): the next persist fails.
        var storage = (EmbeddedStorage)PersistenceStorageExtension.For(kit.Sys).Acquire(
            PluginSettings.From(kit.Sys.Settings.Config.GetConfig(ActorLsmPersistence.JournalPluginId), ActorLsmPersistence.DefaultJournalConfig));
        storage.Store.Dispose();
        probe.Watch(ledger);
        ledger.Tell("second");
        Assert.Contains("ObjectDisposedException", probe.ExpectMsg<PersistFailed>(TimeSpan.FromSeconds(10)).Cause, StringComparison.Ordinal);
        probe.ExpectTerminated(ledger, TimeSpan.FromSeconds(10));
    }
}
