using ActorLsm.Hosting.Client;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Query;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;

namespace ActorLsm.Persistence.Tests.Query;

/// <summary>
/// The read journal in cluster mode, on the shared three-member cluster (mode = cluster on every member):
/// events written through member 0's journal are found by member 0's current queries, and reach a live
/// tag query on member 1, which has no wake-up from member 0's journal and reads at its refresh interval.
/// Ids and tags are unique per run, since other spec classes write to the same cluster.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterReadJournalTests(ClusterFixture fixture)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Queries_ClusterMode_FindEventsWrittenOnOneMemberAndLiveTagQueryOnAnotherSeesNewOnes()
    {
        ActorSystem writerSystem = fixture.Hosts[0]!.System;
        ActorSystem otherSystem = fixture.Hosts[1]!.System;
        string a = "qa-" + _run, b = "qb-" + _run, tag = "t-" + _run;
        IActorRef writerA = writerSystem.ActorOf(QueryTestWriter.Props(a));
        IActorRef writerB = writerSystem.ActorOf(QueryTestWriter.Props(b));
        await writerA.Ask<Written>(new WriteEvents(["a1", new Tagged("a2", [tag])]), fixture.Timeout);
        await writerB.Ask<Written>(new WriteEvents([new Tagged("b1", [tag])]), fixture.Timeout);

        ActorLsmReadJournal queries = PersistenceQuery.Get(writerSystem).ReadJournalFor<ActorLsmReadJournal>(ActorLsmReadJournal.Identifier);
        IMaterializer mat = writerSystem.Materializer();
        Assert.Equal(["a1", "a2"], (await queries.CurrentEventsByPersistenceId(a, 0, long.MaxValue).RunWith(Sink.Seq<EventEnvelope>(), mat)).Select(e => (string)e.Event));
        Assert.Equal(["a2", "b1"], (await queries.CurrentEventsByTag(tag, Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), mat)).Select(e => (string)e.Event));
        Assert.Superset(new HashSet<string> { a, b }, (await queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), mat)).ToHashSet());
        Assert.Equal(["a1", "a2", "b1"], (await queries.CurrentAllEvents(Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), mat))
            .Where(e => e.PersistenceId == a || e.PersistenceId == b).Select(e => (string)e.Event));

        // A live query on another member: sees the stored events, then one written afterwards on member 0.
        TestProbe probe = fixture.Kit.CreateTestProbe(otherSystem);
        PersistenceQuery.Get(otherSystem).ReadJournalFor<ActorLsmReadJournal>(ActorLsmReadJournal.Identifier)
            .EventsByTag(tag, Offset.NoOffset())
            .RunWith(Sink.ActorRef<EventEnvelope>(probe.Ref, "complete", e => new Status.Failure(e)), otherSystem.Materializer());
        Assert.Equal("a2", probe.ExpectMsg<EventEnvelope>(fixture.Timeout).Event);
        Assert.Equal("b1", probe.ExpectMsg<EventEnvelope>(fixture.Timeout).Event);
        await writerA.Ask<Written>(new WriteEvents([new Tagged("a3", [tag])]), fixture.Timeout);
        EventEnvelope a3 = probe.ExpectMsg<EventEnvelope>(fixture.Timeout);
        Assert.Equal((a, 3L, "a3"), (a3.PersistenceId, a3.SequenceNr, (string)a3.Event));
    }

    [Fact]
    public async Task Recovery_ClusterModeEventsWhoseIndexBatchWasLost_WritesTheirIndexEntriesAgain()
    {
        ActorSystem system = fixture.Hosts[0]!.System;
        string pid = "repair-" + _run, tag = "rt-" + _run;
        IActorRef writer = system.ActorOf(QueryTestWriter.Props(pid));
        await writer.Ask<Written>(new WriteEvents(["e1"]), fixture.Timeout);
        await writer.Ask<Written>(new WriteEvents([new Tagged("e2", [tag]), new Tagged("e3", [tag])]), fixture.Timeout);
        await writer.GracefulStop(fixture.Timeout);

        // The crash between the two writes of the last batch (FORMAT.md "Consistency of the indexes"): its
        // events are stored, its tag and all-events entries are not.
        var store = new ActorLsmInClusterClient(ActorRegistry.For(system), fixture.Timeout);
        var keys = new PersistenceKeys("akka");
        byte[] pidBase = keys.PidBase(pid);
        byte[] escaped = PersistenceKeys.Escape(pid);
        foreach (long seq in new[] { 2L, 3L })
        {
            EventRecord r = EventRecord.Decode((await store.GetAsync(PersistenceKeys.Event(pidBase, seq)))!);
            await store.DeleteAsync(PersistenceKeys.IndexEntry(keys.TagBase(tag), r.Ordering, seq, escaped));
            await store.DeleteAsync(PersistenceKeys.IndexEntry(keys.AllBase, r.Ordering, seq, escaped));
        }

        ActorLsmReadJournal queries = PersistenceQuery.Get(system).ReadJournalFor<ActorLsmReadJournal>(ActorLsmReadJournal.Identifier);
        IMaterializer mat = system.Materializer();
        Assert.Empty(await queries.CurrentEventsByTag(tag, Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), mat));

        // A new incarnation recovers (the journal repairs the index tail first) and writes on.
        IActorRef again = system.ActorOf(QueryTestWriter.Props(pid));
        Assert.Equal(4, (await again.Ask<Written>(new WriteEvents(["e4"]), fixture.Timeout)).LastSequenceNr);

        Assert.Equal(["e2", "e3"], (await queries.CurrentEventsByTag(tag, Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), mat)).Select(e => (string)e.Event));
        Assert.Equal(["e1", "e2", "e3", "e4"], (await queries.CurrentAllEvents(Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), mat))
            .Where(e => e.PersistenceId == pid).Select(e => (string)e.Event));
    }
}
