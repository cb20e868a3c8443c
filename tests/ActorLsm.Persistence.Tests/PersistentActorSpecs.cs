using Akka.Actor;
using Akka.TestKit;

namespace ActorLsm.Persistence.Tests;

/// <summary>A persistent actor on the plugins, in both modes: persist, snapshot, stop, recover.</summary>
public abstract class PersistentActorSpecs
{
    private readonly IPersistenceFixture _fixture;

    protected PersistentActorSpecs(IPersistenceFixture fixture) => _fixture = fixture;

    [Fact]
    public void LedgerActor_PersistPersistAllSnapshotThenRestart_RecoversEveryEntry()
    {
        string pid = "ledger-" + Guid.NewGuid().ToString("N")[..8];
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        IActorRef ledger = _fixture.Kit.Sys.ActorOf(LedgerActor.Props(pid, probe.Ref));
        Assert.Empty(probe.ExpectMsg<Recovered>(_fixture.Timeout).Entries);

        ledger.Tell("a");
        Assert.Equal(1, probe.ExpectMsg<Appended>(_fixture.Timeout).SequenceNr);
        ledger.Tell(new AppendAll(["b", "c", "d"]));
        Assert.Equal(4, probe.ReceiveN(3, _fixture.Timeout).Cast<Appended>().Last().SequenceNr);
        ledger.Tell(new TakeSnapshot());
        Assert.Equal(4, probe.ExpectMsg<SnapshotSaved>(_fixture.Timeout).SequenceNr);
        ledger.Tell("e");
        Assert.Equal(5, probe.ExpectMsg<Appended>(_fixture.Timeout).SequenceNr);

        probe.Watch(ledger);
        ledger.Tell(PoisonPill.Instance);
        probe.ExpectTerminated(ledger, _fixture.Timeout);

        _fixture.Kit.Sys.ActorOf(LedgerActor.Props(pid, probe.Ref));
        Recovered recovered = probe.ExpectMsg<Recovered>(_fixture.Timeout);
        Assert.Equal(["a", "b", "c", "d", "e"], recovered.Entries);
        Assert.Equal(5, recovered.LastSequenceNr);
    }
}

/// <summary>The persistent actor spec on a local LsmStore.</summary>
public sealed class EmbeddedPersistentActorSpecs(EmbeddedFixture fixture) : PersistentActorSpecs(fixture), IClassFixture<EmbeddedFixture>;

/// <summary>The persistent actor spec on a three-node cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterPersistentActorSpecs(ClusterFixture fixture) : PersistentActorSpecs(fixture);
