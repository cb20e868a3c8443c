using ActorLsm.Persistence.Layout;
using ActorLsm.Protocol;

namespace ActorLsm.Persistence.Tests;

/// <summary>The key layout of FORMAT.md: escaping, one hash tag per persistence id, ordered sequence numbers.</summary>
public sealed class PersistenceKeysTests
{
    [Theory]
    [InlineData("order-1")]
    [InlineData("a{b}c")]
    [InlineData("}{")]
    [InlineData("100%")]
    [InlineData("")]
    [InlineData("ünï{cøde}")]
    public void Escape_AnyPersistenceId_RoundTripsAndHasNoBraces(string pid)
    {
        byte[] escaped = PersistenceKeys.Escape(pid);
        Assert.DoesNotContain((byte)'{', escaped);
        Assert.DoesNotContain((byte)'}', escaped);
        Assert.Equal(pid, PersistenceKeys.Unescape(escaped));
    }

    [Theory]
    [InlineData("order-1", 1, 10_000)]
    [InlineData("a{b}c", 5, 5)]
    [InlineData("", 1, long.MaxValue)]
    public void TryGetRangeSlot_ReplayRangeOfOneId_IsThatIdsSlotAlone(string pid, long from, long to)
    {
        byte[] pidBase = new PersistenceKeys("akka").PidBase(pid);
        byte[] start = PersistenceKeys.Event(pidBase, from);
        byte[] end = PersistenceKeys.After(PersistenceKeys.Event(pidBase, to));

        Assert.True(KeySlot.TryGetRangeSlot(start, end, out int slot));
        Assert.Equal(KeySlot.Of(pidBase), slot);
    }

    [Theory]
    [InlineData("{user1000}.a", "{user1000}.z", true)]
    [InlineData("{user1000}", "{user1001}", false)] // the common prefix "{user100" closes no tag
    [InlineData("a", "b", false)]
    [InlineData("{}x", "{}y", false)] // an empty tag hashes the whole key
    [InlineData("x{t}", "x{t}", true)]
    public void TryGetRangeSlot_Bounds_OneSlotOnlyWhenTheirCommonPrefixClosesATag(string start, string end, bool oneSlot)
    {
        byte[] s = System.Text.Encoding.ASCII.GetBytes(start);
        byte[] e = System.Text.Encoding.ASCII.GetBytes(end);

        Assert.Equal(oneSlot, KeySlot.TryGetRangeSlot(s, e, out int slot));
        Assert.Equal(oneSlot ? KeySlot.Of(s) : -1, slot);
    }

    [Theory]
    [InlineData("order-1")]
    [InlineData("a{b}c")]
    [InlineData("")]
    public void PidBase_EveryKeyKindOfOneId_SharesOneHashSlot(string pid)
    {
        var keys = new PersistenceKeys("akka");
        byte[] pidBase = keys.PidBase(pid);
        int slot = KeySlot.Of(pidBase);
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Event(pidBase, 1)));
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Event(pidBase, long.MaxValue)));
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Highest(pidBase)));
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Deleted(pidBase)));
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Snapshot(pidBase, 7)));
        Assert.Equal(slot, KeySlot.Of(PersistenceKeys.Chunk(pidBase, 7, 99, 3)));

        // The tag is exactly "p:" + esc(pid): well-formed and never empty.
        Assert.Equal([.. "p:"u8, .. PersistenceKeys.Escape(pid)], KeySlot.HashTag(pidBase).ToArray());
    }

    [Fact]
    public void Event_SequenceNumbers_SortAsBytesInNumericOrder()
    {
        byte[] pidBase = new PersistenceKeys("akka").PidBase("p");
        long[] seqs = [1, 2, 255, 256, 65_536, 1L << 40, long.MaxValue];
        byte[][] keys = [.. seqs.Select(s => PersistenceKeys.Event(pidBase, s))];
        Assert.Equal(keys, keys.Order(ByteComparer.Instance));
        Assert.All(seqs, s => Assert.Equal(s, PersistenceKeys.SeqOf(pidBase, PersistenceKeys.Event(pidBase, s))));
    }

    [Fact]
    public void PidBase_IdThatExtendsAnother_IsNotInTheOtherIdsRange()
    {
        var keys = new PersistenceKeys("akka");
        byte[] a = keys.PidBase("a");
        byte[] ab = keys.PidBase("a}b");
        Assert.False(ab.AsSpan().StartsWith(a));
        Assert.False(keys.PidBase("ab").AsSpan().StartsWith(a));
    }

    [Fact]
    public void IndexEntry_ParsedBack_GivesOrderingSeqAndId()
    {
        var keys = new PersistenceKeys("app");
        byte[] tagBase = keys.TagBase("green{x}");
        byte[] key = PersistenceKeys.IndexEntry(tagBase, 12345, 9, PersistenceKeys.Escape("p{1}"));
        Assert.Equal((12345UL, 9L, "p{1}"), PersistenceKeys.ParseIndexEntry(tagBase, key));
        Assert.Equal(KeySlot.Of(tagBase), KeySlot.Of(key));
        Assert.Equal("p{1}", keys.ParseIdsEntry(keys.IdsEntry("p{1}")));
    }

    [Fact]
    public void Constructor_PrefixWithBrace_Throws() =>
        Assert.Throws<ArgumentException>(() => new PersistenceKeys("a{b"));

    [Fact]
    public void OrderingClock_ClockStandingStill_StaysStrictlyIncreasing()
    {
        var clock = new OrderingClock(salt: 5, nowUnixMs: () => 1_700_000_000_000);
        ulong previous = clock.Next();
        for (int i = 0; i < 10_000; i++)
        {
            ulong next = clock.Next();
            Assert.True(next > previous, $"ordering {next} after {previous}");
            Assert.True(next < 1UL << 63);
            previous = next;
        }
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
