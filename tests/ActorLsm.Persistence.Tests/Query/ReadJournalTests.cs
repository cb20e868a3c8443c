using ActorLsm.Persistence.Layout;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Xunit.Abstractions;

namespace ActorLsm.Persistence.Tests.Query;

/// <summary>
/// The read journal over the embedded journal. The refresh interval is an hour here, so every live result
/// these tests see arrived because the journal woke the query (JournalWritten on the EventStream), never by
/// a timed re-read; <see cref="ReadJournalRefreshTests"/> covers the timed path.
/// </summary>
public sealed class ReadJournalTests : QueryTestKit
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    public ReadJournalTests(ITestOutputHelper output)
        : base(NewDirectory(), TimeSpan.FromHours(1), output)
    {
    }

    [Fact]
    public async Task CurrentEventsByPersistenceId_StoredRange_ReturnsThatRangeInOrderWithEnvelopeFields()
    {
        await WriteAsync("a", "e1", "e2", "e3", "e4", "e5");
        await WriteAsync("b", "other");

        IReadOnlyList<EventEnvelope> middle = await CollectAsync(Queries.CurrentEventsByPersistenceId("a", 2, 4));
        Assert.Equal(["e2", "e3", "e4"], middle.Select(e => (string)e.Event));
        Assert.Equal([2L, 3L, 4L], middle.Select(e => e.SequenceNr));
        Assert.All(middle, e => Assert.Equal("a", e.PersistenceId));
        Assert.True(middle.Select(e => ((Sequence)e.Offset).Value).SequenceEqual(middle.Select(e => ((Sequence)e.Offset).Value).Order()), "offsets increase with sequence numbers");

        Assert.Equal(5, (await CollectAsync(Queries.CurrentEventsByPersistenceId("a", 0, long.MaxValue))).Count);
        Assert.Empty(await CollectAsync(Queries.CurrentEventsByPersistenceId("a", 4, 3)));
        Assert.Empty(await CollectAsync(Queries.CurrentEventsByPersistenceId("nobody", 0, long.MaxValue)));
    }

    [Fact]
    public async Task CurrentEventsByPersistenceId_AfterDeleteMessagesTo_DeletedEventsAreHidden()
    {
        await WriteAsync("a", "e1", "e2", "e3", "e4", "e5");
        await DeleteAsync("a", 2);

        IReadOnlyList<EventEnvelope> events = await CollectAsync(Queries.CurrentEventsByPersistenceId("a", 1, long.MaxValue));
        Assert.Equal([3L, 4L, 5L], events.Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task EventsByPersistenceId_EventsWrittenAfterStart_EmittedLiveThenCompletesAtTo()
    {
        await WriteAsync("a", "e1", "e2");
        var probe = Subscribe(Queries.EventsByPersistenceId("a", 2, 4));
        Assert.Equal("e2", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        await WriteAsync("a", "e3", "e4", "e5");
        Assert.Equal("e3", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        Assert.Equal("e4", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        probe.ExpectMsg("complete", s_wait);
    }

    [Fact]
    public async Task CurrentPersistenceIds_SeveralWriters_EachIdOnce()
    {
        await WriteAsync("p1", "x");
        await WriteAsync("p2", "x");
        await WriteAsync("p1", "y");
        await WriteAsync("weird {id} 100%", "x");

        IReadOnlyList<string> ids = await CollectAsync(Queries.CurrentPersistenceIds());
        Assert.Equal(["p1", "p2", "weird {id} 100%"], ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PersistenceIds_IdFirstWrittenAfterStart_IsEmittedOnce()
    {
        await WriteAsync("p1", "x");
        var probe = Subscribe(Queries.PersistenceIds());
        probe.ExpectMsg("p1", s_wait);

        await WriteAsync("p2", "x");
        probe.ExpectMsg("p2", s_wait);
        await WriteAsync("p2", "again");
        await WriteAsync("p1", "again");
        await WriteAsync("p3", "x");
        probe.ExpectMsg("p3", s_wait);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task CurrentEventsByTag_MixedTags_ReturnsTaggedEventsInOffsetOrderAndResumesAfterOffset()
    {
        await WriteAsync("a", new Tagged("a1", ["green"]), "a2", new Tagged("a3", ["green", "blue"]));
        await WriteAsync("b", new Tagged("b1", ["green"]));

        IReadOnlyList<EventEnvelope> green = await CollectAsync(Queries.CurrentEventsByTag("green", Offset.NoOffset()));
        Assert.Equal(["a1", "a3", "b1"], green.Select(e => (string)e.Event));
        long[] offsets = [.. green.Select(e => ((Sequence)e.Offset).Value)];
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(3, offsets.Distinct().Count());
        Assert.Equal(["blue", "green"], green[1].Tags.Order(StringComparer.Ordinal));

        IReadOnlyList<EventEnvelope> resumed = await CollectAsync(Queries.CurrentEventsByTag("green", Offset.Sequence(offsets[0])));
        Assert.Equal(["a3", "b1"], resumed.Select(e => (string)e.Event));
        Assert.Equal(["a3"], (await CollectAsync(Queries.CurrentEventsByTag("blue", Offset.NoOffset()))).Select(e => (string)e.Event));
        Assert.Empty(await CollectAsync(Queries.CurrentEventsByTag("red", Offset.NoOffset())));
    }

    [Fact]
    public async Task EventsByTag_EventsTaggedAfterStart_EmittedAfterTheStoredOnes()
    {
        await WriteAsync("a", new Tagged("a1", ["green"]));
        var probe = Subscribe(Queries.EventsByTag("green", Offset.NoOffset()));
        Assert.Equal("a1", probe.ExpectMsg<EventEnvelope>(s_wait).Event);

        await WriteAsync("b", "untagged", new Tagged("b2", ["green"]));
        await WriteAsync("a", new Tagged("a2", ["blue"]), new Tagged("a3", ["green"]));
        Assert.Equal("b2", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        Assert.Equal("a3", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task CurrentAllEvents_TwoWriters_EveryEventOnceInOffsetOrder()
    {
        await WriteAsync("a", "a1", new Tagged("a2", ["green"]));
        await WriteAsync("b", "b1");
        await WriteAsync("a", "a3");

        IReadOnlyList<EventEnvelope> all = await CollectAsync(Queries.CurrentAllEvents(Offset.NoOffset()));
        Assert.Equal(["a1", "a2", "b1", "a3"], all.Select(e => (string)e.Event));
        Assert.Equal(4, all.Select(e => e.Offset).Distinct().Count());
        IReadOnlyList<EventEnvelope> tail = await CollectAsync(Queries.CurrentAllEvents(all[1].Offset));
        Assert.Equal(["b1", "a3"], tail.Select(e => (string)e.Event));
    }

    [Fact]
    public async Task AllEvents_WritesAfterStart_EmittedLive()
    {
        await WriteAsync("a", "a1");
        var probe = Subscribe(Queries.AllEvents(Offset.NoOffset()));
        Assert.Equal("a1", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        await WriteAsync("b", "b1");
        EventEnvelope b1 = probe.ExpectMsg<EventEnvelope>(s_wait);
        Assert.Equal(("b", 1L, "b1"), (b1.PersistenceId, b1.SequenceNr, (string)b1.Event));
    }

    [Fact]
    public void EventsByTag_TimeBasedUuidOffset_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => Queries.EventsByTag("green", Offset.TimeBasedUuid(Guid.NewGuid())));

    [Fact]
    public async Task CurrentEventsByPersistenceId_CorruptRecord_FailsWithCorruptionExceptionNamingTheKey()
    {
        await WriteAsync("a", "e1", "e2");
        byte[] key = PersistenceKeys.Event(Keys.PidBase("a"), 2);
        byte[] value = (await Storage.GetAsync(key))!;
        value[^1] ^= 0xFF; // break the CRC
        await Storage.WriteAsync([new ActorLsm.WriteOp(key, value)]);

        // The page holding events 1 and 2 fails as a whole: the stream fails, naming the key.
        var probe = Subscribe(Queries.CurrentEventsByPersistenceId("a", 1, long.MaxValue));
        Status.Failure failure = probe.ExpectMsg<Status.Failure>(s_wait);
        CorruptionException corruption = Assert.IsType<CorruptionException>(failure.Cause);
        Assert.Contains("akka{p:a}e", corruption.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// The timed path: writes that bypass this system's journal (as a journal in another process would write
/// them) reach the live queries within the refresh interval; an index entry that becomes visible after
/// entries with a higher ordering is still emitted.
/// </summary>
public sealed class ReadJournalRefreshTests : QueryTestKit
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    public ReadJournalRefreshTests(ITestOutputHelper output)
        : base(NewDirectory(), TimeSpan.FromMilliseconds(200), output)
    {
    }

    [Fact]
    public async Task EventsByTag_EntriesWrittenByAnotherWriter_EmittedIncludingOneThatArrivedLate()
    {
        ulong now = OrderingClock.LowestAt(DateTimeOffset.UtcNow);
        byte[] tagBase = Keys.TagBase("green");
        var probe = Subscribe(Queries.EventsByTag("green", Offset.NoOffset()));

        // Another writer's entries (no JournalWritten in this system): seen at the next refresh.
        await PutIndexEntryAsync(tagBase, RecordOf("remote", 1, now + 100, "r1", "green"));
        await PutIndexEntryAsync(tagBase, RecordOf("remote", 3, now + 300, "r3", "green"));
        Assert.Equal("r1", probe.ExpectMsg<EventEnvelope>(s_wait).Event);
        Assert.Equal("r3", probe.ExpectMsg<EventEnvelope>(s_wait).Event);

        // An entry whose ordering is below the newest one emitted (its index batch was slower).
        await PutIndexEntryAsync(tagBase, RecordOf("remote", 2, now + 200, "r2", "green"));
        EventEnvelope late = probe.ExpectMsg<EventEnvelope>(s_wait);
        Assert.Equal(("r2", (long)(now + 200)), ((string)late.Event, ((Sequence)late.Offset).Value));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // no entry twice across later refreshes
    }

    [Fact]
    public async Task PersistenceIds_IdIndexedByAnotherWriter_EmittedAtTheNextRefresh()
    {
        await WriteAsync("local", "x");
        var probe = Subscribe(Queries.PersistenceIds());
        probe.ExpectMsg("local", s_wait);

        await Storage.WriteAsync([new ActorLsm.WriteOp(Keys.IdsEntry("remote"), new byte[8])]);
        probe.ExpectMsg("remote", s_wait);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
    }

    private Task PutIndexEntryAsync(byte[] indexBase, EventRecord record) =>
        Storage.WriteAsync([new ActorLsm.WriteOp(PersistenceKeys.IndexEntry(indexBase, record.Ordering, record.SequenceNr, PersistenceKeys.Escape(record.PersistenceId)), record.Encode())]);
}
