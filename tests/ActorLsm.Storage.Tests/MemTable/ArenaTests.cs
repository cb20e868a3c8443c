using ActorLsm.Storage.Memtables;

// Folder MemTable/, namespace Memtables: a namespace named MemTable would hide the MemTable type
// from every test under ActorLsm.Storage.Tests (the same reason the engine uses Memtables).
namespace ActorLsm.Storage.Tests.Memtables;

public class ArenaTests
{
    [Fact]
    public void Allocate_Always_ReturnsAlignedNonNullOffsets()
    {
        var arena = new Arena(1024);
        int previousEnd = 0;
        foreach (int size in new[] { 1, 3, 4, 7, 0, 9 })
        {
            int offset = arena.Allocate(size);
            Assert.NotEqual(Arena.NullOffset, offset);
            Assert.Equal(0, offset % Arena.Alignment);
            Assert.True(offset >= previousEnd, $"offset {offset} overlaps the previous allocation ending at {previousEnd}");
            previousEnd = offset + size;
        }

        Assert.Equal(previousEnd, arena.Used);
    }

    [Fact]
    public void Allocate_WhenFull_ReturnsMinusOneAndChangesNothing()
    {
        var arena = new Arena(64);
        int offset = arena.Allocate(64 - Arena.ReservedBytes);
        Assert.Equal(Arena.ReservedBytes, offset);
        int used = arena.Used;

        Assert.Equal(-1, arena.Allocate(1));
        Assert.Equal(used, arena.Used);
        Assert.Equal(0, arena.Remaining);
    }

    [Fact]
    public void Allocate_ExactFitAfterPadding_Succeeds()
    {
        var arena = new Arena(32);
        Assert.Equal(8, arena.Allocate(5));
        // 13 bytes used, padded to 16: 16 bytes remain for the next allocation, not 19.
        Assert.Equal(-1, arena.Allocate(17));
        Assert.Equal(16, arena.Allocate(16));
        Assert.Equal(32, arena.Used);
    }

    [Fact]
    public void Constructor_CapacityBelowReserve_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Arena(Arena.ReservedBytes - 1));
    }
}
