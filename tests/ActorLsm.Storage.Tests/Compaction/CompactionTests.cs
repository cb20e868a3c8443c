using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using static ActorLsm.Storage.Tests.Manifest.TestFiles;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Tests.Compaction;

public class CompactionTests
{
    private static Compactions.Compaction Create(
        Version v,
        int level,
        IReadOnlyList<FileMetadata> inputs0,
        IReadOnlyList<FileMetadata> inputs1,
        IReadOnlyList<FileMetadata> grandparents,
        long grandparentLimit = 10_000)
    {
        v.Ref();
        return new Compactions.Compaction(v, level, inputs0, inputs1, grandparents, 1_000, grandparentLimit, isManual: false);
    }

    private static byte[] IKey(string userKey) => InternalKey.Create(Key(userKey), 50, ValueKind.Put);

    [Fact]
    public void IsBaseLevelForKey_KeysInOrder_FalseOnlyWhereDeeperLevelsHoldTheKey()
    {
        Version v = Build(
            5,
            (0, Make(1, "a", "z")),
            (1, Make(2, "a", "z")),
            (2, Make(3, "c", "e")),
            (2, Make(4, "m", "p")),
            (3, Make(5, "s", "t")),
            (4, Make(6, "v", "v")));
        using Compactions.Compaction c = Create(v, 0, v.Files(0), v.Files(1), []);

        string[] keys = ["a", "c", "d", "f", "n", "q", "s", "u", "v", "z"];
        bool[] expected = [true, false, false, true, false, true, false, true, false, true];
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.True(expected[i] == c.IsBaseLevelForKey(Key(keys[i])), $"key {keys[i]}");
        }
    }

    [Fact]
    public void ShouldStopBefore_GrandparentOverlapOverLimit_CutsAndRestartsCount()
    {
        Version v = Build(
            4,
            (1, Make(1, "a", "z")),
            (3, Make(10, "b", "c", size: 4_000)),
            (3, Make(11, "d", "e", size: 4_000)),
            (3, Make(12, "f", "g", size: 4_000)),
            (3, Make(13, "h", "i", size: 4_000)),
            (3, Make(14, "j", "k", size: 4_000)));
        using Compactions.Compaction c = Create(v, 1, v.Files(1), [], v.Files(3));

        // Overlap counts the grandparents passed after the first key: 4 000, 8 000, then 12 000 > 10 000.
        Assert.False(c.ShouldStopBefore(IKey("a")));
        Assert.False(c.ShouldStopBefore(IKey("d")));
        Assert.False(c.ShouldStopBefore(IKey("f")));
        Assert.True(c.ShouldStopBefore(IKey("h")));
        Assert.False(c.ShouldStopBefore(IKey("i")));
        Assert.False(c.ShouldStopBefore(IKey("j")));
        Assert.False(c.ShouldStopBefore(IKey("z")));
    }

    [Fact]
    public void IsTrivialMove_OneFileNoOverlap_TrueOnlyWithinGrandparentLimit()
    {
        Version v = Build(4, (1, Make(1, "a", "c")), (2, Make(2, "a", "b")), (3, Make(3, "a", "z", size: 20_000)));

        using Compactions.Compaction move = Create(v, 1, v.Files(1), [], []);
        using Compactions.Compaction merge = Create(v, 1, v.Files(1), v.Files(2), []);
        using Compactions.Compaction tooMuchOverlap = Create(v, 1, v.Files(1), [], v.Files(3));

        Assert.True(move.IsTrivialMove);
        Assert.False(merge.IsTrivialMove);
        Assert.False(tooMuchOverlap.IsTrivialMove);
    }

    [Fact]
    public void AddInputDeletions_BothLevels_RecordsEveryInput()
    {
        Version v = Build(4, (1, Make(1, "a", "c")), (1, Make(4, "d", "e")), (2, Make(2, "a", "b")));
        using Compactions.Compaction c = Create(v, 1, v.Files(1), v.Files(2), []);
        var edit = new VersionEdit();

        c.AddInputDeletions(edit);

        Assert.Equal(new HashSet<(int, ulong)> { (1, 1), (1, 4), (2, 2) }, edit.DeletedFiles);
        Assert.Equal(3_000, c.TotalInputBytes);
    }

    [Fact]
    public void MarkInputsBeingCompacted_Toggle_SetsAndClearsEveryInput()
    {
        Version v = Build(4, (1, Make(1, "a", "c")), (2, Make(2, "a", "b")), (2, Make(3, "x", "y")));
        using Compactions.Compaction c = Create(v, 1, v.Files(1), [v.Files(2)[0]], []);

        c.MarkInputsBeingCompacted(true);
        Assert.True(v.Files(1)[0].BeingCompacted && v.Files(2)[0].BeingCompacted);
        Assert.False(v.Files(2)[1].BeingCompacted);

        c.MarkInputsBeingCompacted(false);
        Assert.False(v.Files(1)[0].BeingCompacted || v.Files(2)[0].BeingCompacted);
    }
}
