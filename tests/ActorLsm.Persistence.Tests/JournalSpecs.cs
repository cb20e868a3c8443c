using System.Collections.Immutable;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.TestKit;

namespace ActorLsm.Persistence.Tests;

/// <summary>
/// The journal's rules (those of the Akka.Persistence TCK's JournalSpec, in our own words), driven through
/// the journal actor's protocol. Run in both modes by <see cref="EmbeddedJournalSpecs"/> and
/// <see cref="ClusterJournalSpecs"/>; every test uses persistence ids of its own.
/// </summary>
public abstract class JournalSpecs
{
    private readonly IPersistenceFixture _fixture;
    private readonly string _writer = Guid.NewGuid().ToString();

    protected JournalSpecs(IPersistenceFixture fixture) => _fixture = fixture;

    private ActorSystem Sys => _fixture.Kit.Sys;

    private IActorRef Journal => Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);

    private static string NewPid() => "pid-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void WriteMessages_FiveEvents_ReplayReturnsThemInOrderWithWriterAndManifest()
    {
        string pid = NewPid();
        WriteEvents(pid, 1, 5);
        List<IPersistentRepresentation> replayed = Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 5);
        Assert.Equal(["e-1", "e-2", "e-3", "e-4", "e-5"], replayed.Select(p => (string)p.Payload));
        Assert.Equal([1L, 2, 3, 4, 5], replayed.Select(p => p.SequenceNr));
        Assert.All(replayed, p =>
        {
            Assert.Equal(_writer, p.WriterGuid);
            Assert.Equal("manifest-x", p.Manifest);
            Assert.Equal(pid, p.PersistenceId);
            Assert.False(p.IsDeleted);
        });
    }

    [Theory]
    [InlineData(2, 4, long.MaxValue, new long[] { 2, 3, 4 })]
    [InlineData(1, 5, 2, new long[] { 1, 2 })]
    [InlineData(3, long.MaxValue, long.MaxValue, new long[] { 3, 4, 5 })]
    [InlineData(1, 5, 0, new long[0])]
    [InlineData(4, 2, long.MaxValue, new long[0])]
    [InlineData(6, 10, long.MaxValue, new long[0])]
    public void ReplayMessages_FromToMax_ReturnsExactlyThatRange(long from, long to, long max, long[] expected)
    {
        string pid = NewPid();
        WriteEvents(pid, 1, 5);
        List<IPersistentRepresentation> replayed = Replay(pid, from, to, max, expectedHighest: 5);
        Assert.Equal(expected, replayed.Select(p => p.SequenceNr));
    }

    [Fact]
    public void ReadHighestSequenceNr_UnknownId_IsZero()
    {
        Assert.Empty(Replay(NewPid(), 1, long.MaxValue, long.MaxValue, expectedHighest: 0));
    }

    [Fact]
    public void DeleteMessagesTo_Three_HidesOneToThreeAndKeepsHighest()
    {
        string pid = NewPid();
        WriteEvents(pid, 1, 5);
        Delete(pid, 3);
        Assert.Equal([4L, 5], Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 5).Select(p => p.SequenceNr));
    }

    [Fact]
    public void DeleteMessagesTo_Everything_ReplaysNothingAndHighestStays()
    {
        string pid = NewPid();
        WriteEvents(pid, 1, 3);
        Delete(pid, long.MaxValue);
        Assert.Empty(Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 3));

        // Deleting "to infinity" does not hide events written afterwards.
        WriteEvents(pid, 4, 2);
        Assert.Equal([4L, 5], Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 5).Select(p => p.SequenceNr));
    }

    [Fact]
    public void WriteMessages_AtomicWriteOfThree_IsReplayedWhole()
    {
        string pid = NewPid();
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        var atomic = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, 1, "a"), Event(pid, 2, "b"), Event(pid, 3, "c")));
        Journal.Tell(new WriteMessages([atomic], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
        Assert.Equal([1L, 2, 3], Enumerable.Range(0, 3).Select(_ => probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout).Persistent.SequenceNr));
        Assert.Equal(["a", "b", "c"], Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 3).Select(p => (string)p.Payload));
    }

    [Fact]
    public void WriteMessages_AtomicWriteWithAnUnserializableEvent_IsRejectedWholeAndTheJournalGoesOn()
    {
        string pid = NewPid();
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        var bad = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, 1, "a"), Event(pid, 2, new NotSerializable()), Event(pid, 3, "c")));
        var good = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, 1, "ok")));
        string other = NewPid();
        var goodOther = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(other, 1, "other")));
        Journal.Tell(new WriteMessages([bad, goodOther], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
        for (int i = 0; i < 3; i++)
        {
            Assert.NotNull(probe.ExpectMsg<WriteMessageRejected>(_fixture.Timeout).Cause);
        }

        probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout);
        Assert.Empty(Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 0));
        Assert.Single(Replay(other, 1, long.MaxValue, long.MaxValue, expectedHighest: 1));

        Journal.Tell(new WriteMessages([good], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
        probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout);
        Assert.Equal(["ok"], Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 1).Select(p => (string)p.Payload));
    }

    [Fact]
    public void WriteMessages_ManyBatchesInFlightForOneId_AreAppliedInOrder()
    {
        string pid = NewPid();
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        const int Batches = 40;
        for (int b = 0; b < Batches; b++)
        {
            long seq = (b * 2) + 1;
            Journal.Tell(new WriteMessages([new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, seq, $"e-{seq}"), Event(pid, seq + 1, $"e-{seq + 1}")))], probe.Ref, 1), probe.Ref);
        }

        var acknowledged = new List<long>();
        for (int b = 0; b < Batches; b++)
        {
            probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
            acknowledged.Add(probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout).Persistent.SequenceNr);
            acknowledged.Add(probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout).Persistent.SequenceNr);
        }

        Assert.Equal(Enumerable.Range(1, Batches * 2).Select(i => (long)i), acknowledged);
        Assert.Equal(Enumerable.Range(1, Batches * 2).Select(i => $"e-{i}"), Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: Batches * 2).Select(p => (string)p.Payload));
    }

    [Fact]
    public async Task WriteMessages_TaggedEvents_ReplayUntaggedAndIndexByTagAllEventsAndId()
    {
        string pid = NewPid();
        string tag = "tag-" + Guid.NewGuid().ToString("N")[..6];
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        var atomic = new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, 1, new Tagged("t1", [tag, "other"])), Event(pid, 2, "untagged"), Event(pid, 3, new Tagged("t3", [tag]))));
        Journal.Tell(new WriteMessages([atomic], probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
        probe.ReceiveN(3, _fixture.Timeout);
        Assert.Equal(["t1", "untagged", "t3"], Replay(pid, 1, long.MaxValue, long.MaxValue, expectedHighest: 3).Select(p => (string)p.Payload));

        // wait-for-index = on: acknowledged events are in the indexes.
        var keys = new PersistenceKeys("akka");
        IPersistenceStorage storage = Storage();
        byte[] tagBase = keys.TagBase(tag);
        var tagged = await storage.ScanAsync(PersistenceKeys.IndexFrom(tagBase, 0), PersistenceKeys.IndexEnd(tagBase), 100);
        Assert.Equal([(pid, 1L), (pid, 3L)], tagged.Select(kv => PersistenceKeys.ParseIndexEntry(tagBase, kv.Key)).Select(e => (e.PersistenceId, e.Seq)));
        Assert.Equal(["t1", "t3"], tagged.Select(kv => (string)Sys.Serialization.Deserialize(EventRecord.Decode(kv.Value).Payload, EventRecord.Decode(kv.Value).SerializerId, EventRecord.Decode(kv.Value).SerializerManifest)));
        ulong[] orderings = [.. tagged.Select(kv => PersistenceKeys.ParseIndexEntry(tagBase, kv.Key).Ordering)];
        Assert.True(orderings[0] < orderings[1]);

        var all = await storage.ScanAsync(PersistenceKeys.IndexFrom(keys.AllBase, orderings[0]), PersistenceKeys.IndexEnd(keys.AllBase), 100_000);
        Assert.Equal([1L, 2, 3], all.Select(kv => PersistenceKeys.ParseIndexEntry(keys.AllBase, kv.Key)).Where(e => e.PersistenceId == pid).Select(e => e.Seq));
        Assert.NotNull(await storage.GetAsync(keys.IdsEntry(pid)));
    }

    [Fact]
    public async Task ReplayMessages_CorruptEntry_FailsRecoveryWithCorruptionExceptionNamingTheKey()
    {
        string pid = NewPid();
        WriteEvents(pid, 1, 3);
        byte[] key = PersistenceKeys.Event(new PersistenceKeys("akka").PidBase(pid), 2);
        byte[] value = (await Storage().GetAsync(key))!;
        value[^6] ^= 0x5A;
        await Storage().WriteAsync([WriteOp.Put(key, value)]);

        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, pid, probe.Ref), probe.Ref);
        probe.ExpectMsg<ReplayedMessage>(_fixture.Timeout);
        ReplayMessagesFailure failure = probe.ExpectMsg<ReplayMessagesFailure>(_fixture.Timeout);
        var corruption = Assert.IsType<ActorLsm.Storage.CorruptionException>(Unwrap(failure.Cause));
        Assert.Contains(PersistenceKeys.Describe(key), corruption.Message, StringComparison.Ordinal);
    }

    private static Exception Unwrap(Exception ex) => ex is AggregateException { InnerExceptions.Count: 1 } agg ? Unwrap(agg.InnerExceptions[0]) : ex;

    private IPersistenceStorage Storage() =>
        PersistenceStorageExtension.For(Sys).Acquire(PluginSettings.From(Sys.Settings.Config.GetConfig(ActorLsmPersistence.JournalPluginId), ActorLsmPersistence.DefaultJournalConfig));

    private Persistent Event(string pid, long seq, object payload) => new(payload, seq, pid, "manifest-x", false, ActorRefs.NoSender, _writer);

    private void WriteEvents(string pid, long from, int count)
    {
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        AtomicWrite[] writes = [.. Enumerable.Range(0, count).Select(i => new AtomicWrite(Event(pid, from + i, $"e-{from + i}")))];
        Journal.Tell(new WriteMessages(writes, probe.Ref, 1), probe.Ref);
        probe.ExpectMsg<WriteMessagesSuccessful>(_fixture.Timeout);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(from + i, probe.ExpectMsg<WriteMessageSuccess>(_fixture.Timeout).Persistent.SequenceNr);
        }
    }

    private void Delete(string pid, long to)
    {
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(pid, to, probe.Ref), probe.Ref);
        probe.ExpectMsg<DeleteMessagesSuccess>(_fixture.Timeout);
    }

    private List<IPersistentRepresentation> Replay(string pid, long from, long to, long max, long expectedHighest)
    {
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Journal.Tell(new ReplayMessages(from, to, max, pid, probe.Ref), probe.Ref);
        var replayed = new List<IPersistentRepresentation>();
        while (true)
        {
            object msg = probe.ReceiveOne(_fixture.Timeout) ?? throw new TimeoutException("no replay reply");
            switch (msg)
            {
                case ReplayedMessage r:
                    replayed.Add(r.Persistent);
                    break;
                case RecoverySuccess s:
                    Assert.Equal(expectedHighest, s.HighestSequenceNr);
                    return replayed;
                default:
                    throw new Xunit.Sdk.XunitException($"unexpected {msg}");
            }
        }
    }
}

/// <summary>An event the default serializer cannot write: its getter throws.</summary>
public sealed class NotSerializable
{
    public string Value => throw new InvalidOperationException("this event cannot be serialized");
}

/// <summary>The journal specs on a local LsmStore.</summary>
public sealed class EmbeddedJournalSpecs(EmbeddedFixture fixture) : JournalSpecs(fixture), IClassFixture<EmbeddedFixture>;

/// <summary>The journal specs on a three-node cluster (RF 3).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterJournalSpecs(ClusterFixture fixture) : JournalSpecs(fixture);
