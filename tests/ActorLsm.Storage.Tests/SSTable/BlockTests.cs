using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Tests.SSTable;

public class BlockTests
{
    private static Block Build(List<(byte[] Key, byte[] Value)> entries, int restartInterval)
    {
        var builder = new BlockBuilder(restartInterval);
        foreach (var (key, value) in entries)
        {
            builder.Add(key, value);
        }

        int estimate = builder.CurrentSizeEstimate;
        var contents = builder.Finish().ToArray();
        Assert.Equal(estimate, contents.Length);
        return new Block(contents, 0, contents.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)]
    public void RoundTrip_RandomKeys_ForwardAndReverseMatchModel(int restartInterval)
    {
        const int seed = 1234;
        var entries = TestData.Entries(seed, 300, maxVersions: 3);
        var block = Build(entries, restartInterval);
        using var it = new BlockIterator(block);

        int i = 0;
        for (it.SeekToFirst(); it.Valid; it.Next(), i++)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key), $"seed {seed}: key {i}");
            Assert.True(it.Value.SequenceEqual(entries[i].Value), $"seed {seed}: value {i}");
        }

        Assert.Equal(entries.Count, i);
        i = entries.Count - 1;
        for (it.SeekToLast(); it.Valid; it.Prev(), i--)
        {
            Assert.True(it.Key.SequenceEqual(entries[i].Key), $"seed {seed}: reverse key {i}");
        }

        Assert.Equal(-1, i);
    }

    [Theory]
    [InlineData(1, 100, 100)]
    [InlineData(16, 100, 7)]
    [InlineData(16, 16, 1)]
    [InlineData(16, 17, 2)]
    [InlineData(1000, 100, 1)]
    public void Finish_EntryCount_HasOneRestartPointPerInterval(int restartInterval, int entries, int expected)
    {
        var block = Build(TestData.Entries(7, entries), restartInterval);
        Assert.Equal(expected, block.NumRestarts);
    }

    [Fact]
    public void Finish_NoEntries_IteratorIsNeverValid()
    {
        var block = Build([], 16);
        using var it = new BlockIterator(block);
        it.SeekToFirst();
        Assert.False(it.Valid);
        it.SeekToLast();
        Assert.False(it.Valid);
        it.Seek(InternalKey.Create("a"u8, 1, ValueKind.Put));
        Assert.False(it.Valid);
        it.SeekForPrev(InternalKey.Create("a"u8, 1, ValueKind.Put));
        Assert.False(it.Valid);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)]
    public void Seek_RandomTargets_MatchesSortedModel(int restartInterval)
    {
        const int seed = 99;
        var entries = TestData.Entries(seed, 300, maxVersions: 3);
        var block = Build(entries, restartInterval);
        using var it = new BlockIterator(block);
        var rng = new Random(seed);
        for (int round = 0; round < 1000; round++)
        {
            var target = TestData.ProbeKey(rng, entries);
            int lb = TestData.LowerBound(entries, target);

            it.Seek(target);
            Assert.Equal(lb < entries.Count, it.Valid);
            if (lb < entries.Count)
            {
                Assert.True(it.Key.SequenceEqual(entries[lb].Key), $"seed {seed} round {round}: Seek");
            }

            // SeekForPrev: last entry <= target.
            int prev = lb < entries.Count && InternalKey.Compare(entries[lb].Key, target) == 0 ? lb : lb - 1;
            it.SeekForPrev(target);
            Assert.Equal(prev >= 0, it.Valid);
            if (prev >= 0)
            {
                Assert.True(it.Key.SequenceEqual(entries[prev].Key), $"seed {seed} round {round}: SeekForPrev");
                if (prev > 0)
                {
                    it.Prev();
                    Assert.True(it.Valid && it.Key.SequenceEqual(entries[prev - 1].Key), $"seed {seed} round {round}: Prev");
                }
            }
        }
    }

    [Fact]
    public void SeekToLast_ThenPrevAcrossRestartPoints_VisitsEveryEntry()
    {
        var entries = TestData.Entries(5, 50);
        var block = Build(entries, 4);
        using var it = new BlockIterator(block);
        it.SeekToLast();
        Assert.True(it.Key.SequenceEqual(entries[^1].Key));
        int count = 0;
        for (; it.Valid; it.Prev())
        {
            count++;
        }

        Assert.Equal(entries.Count, count);
    }

    [Fact]
    public void Iterator_CorruptEntryHeader_ThrowsCorruption()
    {
        var entries = TestData.Entries(3, 40);
        var builder = new BlockBuilder(16);
        foreach (var (key, value) in entries)
        {
            builder.Add(key, value);
        }

        var contents = builder.Finish().ToArray();
        contents[1] = 0xff; // non_shared of the first entry becomes a long varint / huge length
        contents[2] = 0xff;
        contents[3] = 0x7f;
        var block = new Block(contents, 0, contents.Length, "test.sst", 100);
        using var it = new BlockIterator(block);
        var e = Assert.Throws<CorruptionException>(it.SeekToFirst);
        Assert.Equal("test.sst", e.FilePath);
    }

    [Fact]
    public void Block_RestartCountTooLarge_ThrowsCorruption()
    {
        var contents = new byte[8];
        contents[4] = 200;
        Assert.Throws<CorruptionException>(() => new Block(contents, 0, contents.Length));
    }
}
