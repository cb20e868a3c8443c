using ActorLsm.Storage.Compactions;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using static ActorLsm.Storage.Tests.Manifest.TestFiles;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Tests.Compaction;

public class CompactionPickerTests
{
    /// <summary>Small targets: L1 = 10 000 bytes, L2 = 100 000, target file = 1 000 (grandparent limit 10 000).</summary>
    internal static LsmOptions SmallOptions() => new()
    {
        NumLevels = 4,
        L0CompactionTrigger = 4,
        MaxBytesForLevelBase = 10_000,
        LevelSizeMultiplier = 10,
        TargetFileSize = 1_000,
    };

    private static string K(int i) => i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Ten 2 000-byte L1 files, [k00a .. k00z], [k01a ..] ..., twice L1's target.</summary>
    private static (int, FileMetadata)[] FullL1()
    {
        var files = new (int, FileMetadata)[10];
        for (int i = 0; i < 10; i++)
        {
            files[i] = (1, Make((ulong)(100 + i), K(i * 10), K((i * 10) + 5), size: 2_000));
        }

        return files;
    }

    [Fact]
    public void MaxBytesForLevel_Levels_MultiplyFromBase()
    {
        var picker = new CompactionPicker(SmallOptions());

        Assert.Equal(10_000, picker.MaxBytesForLevel(1));
        Assert.Equal(100_000, picker.MaxBytesForLevel(2));
        Assert.Equal(1_000_000, picker.MaxBytesForLevel(3));
        Assert.Equal(long.MaxValue, new CompactionPicker(new LsmOptions { LevelSizeMultiplier = 1_000_000 }).MaxBytesForLevel(5));
    }

    [Fact]
    public void ComputeScores_FilesAndBytes_ScoredAgainstTargets()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, (0, Make(1, "a", "b")), (0, Make(2, "a", "b")), (1, Make(3, "a", "b", size: 5_000)), (3, Make(4, "a", "b", size: 1L << 40)));

        double[] scores = picker.ComputeScores(v);

        Assert.Equal([0.5, 0.5, 0, 0], scores);
        Assert.False(picker.NeedsCompaction(v));
        Assert.Null(picker.PickCompaction(v, new byte[]?[4]));
    }

    [Fact]
    public void PickCompaction_FourL0Files_TakesAllL0AndOverlappingL1()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(
            4,
            (0, Make(1, "b", "d")),
            (0, Make(2, "c", "e")),
            (0, Make(3, "m", "n")),
            (0, Make(4, "d", "f")),
            (1, Make(10, "a", "b")),
            (1, Make(11, "g", "h")),
            (1, Make(12, "n", "p")),
            (1, Make(13, "x", "z")),
            (2, Make(20, "a", "c")),
            (2, Make(21, "q", "r")));

        Assert.True(picker.NeedsCompaction(v));
        using Compactions.Compaction? c = picker.PickCompaction(v, new byte[]?[4]);

        Assert.NotNull(c);
        Assert.Equal(0, c.Level);
        Assert.Equal(1, c.OutputLevel);
        Assert.False(c.IsManual);
        Assert.Equal([4UL, 3UL, 2UL, 1UL], Numbers(c.Inputs0));
        Assert.Equal([10UL, 11UL, 12UL], Numbers(c.Inputs1));
        Assert.Equal([20UL], Numbers(c.Grandparents));
        Assert.Equal(7_000, c.TotalInputBytes);
        Assert.All(c.Inputs0.Concat(c.Inputs1), f => Assert.True(f.BeingCompacted));
        Assert.False(v.Files(1)[3].BeingCompacted);
    }

    [Fact]
    public void PickCompaction_L1OverTarget_RoundRobinPointerAdvancesAndWraps()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, FullL1());
        v.Ref(); // held as "current" while compactions come and go
        var pointers = new byte[]?[4];
        var picked = new List<ulong>();

        for (int i = 0; i < 12; i++)
        {
            using Compactions.Compaction? c = picker.PickCompaction(v, pointers);
            Assert.NotNull(c);
            Assert.Equal(1, c.Level);
            Assert.Single(c.Inputs0);
            Assert.Same(c.Inputs0[0].Largest, pointers[1]);
            Assert.Same(c.CompactPointer, pointers[1]);
            picked.Add(c.Inputs0[0].Number);
            c.MarkInputsBeingCompacted(false);
        }

        Assert.Equal([100UL, 101, 102, 103, 104, 105, 106, 107, 108, 109, 100, 101], picked);
    }

    [Fact]
    public void PickCompaction_InputsBeingCompacted_NotPickedTwice()
    {
        var picker = new CompactionPicker(SmallOptions());
        var files = FullL1().Concat([(0, Make(1, "a", "b")), (0, Make(2, "a", "b")), (0, Make(3, "a", "b")), (0, Make(4, "a", "b"))]).ToArray();
        Version v = Build(4, files);
        var pointers = new byte[]?[4];

        // Without unmarking, keep picking: L1 (score 2.0, falling by 0.2 per pick) wins until it ties
        // with L0 (1.0), then L0 once, then L1 once more, until both drop below 1.
        var picked = new List<Compactions.Compaction>();
        for (Compactions.Compaction? c = picker.PickCompaction(v, pointers); c is not null; c = picker.PickCompaction(v, pointers))
        {
            picked.Add(c);
            Assert.True(picked.Count <= 20, "picker keeps returning compactions");
        }

        Assert.Equal([1, 1, 1, 1, 1, 0, 1], picked.Select(c => c.Level).ToArray());
        var inputs = picked.SelectMany(c => c.Inputs0.Concat(c.Inputs1)).Select(f => f.Number).ToList();
        Assert.Equal(inputs.Count, inputs.Distinct().Count());
        Assert.Equal(0, picker.ComputeScores(v)[0]);
        picked.ForEach(c => c.Dispose());
    }

    [Fact]
    public void PickCompaction_L0WhoseL1OverlapIsBusy_ReturnsNull()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, (0, Make(1, "a", "b")), (0, Make(2, "a", "b")), (0, Make(3, "a", "b")), (0, Make(4, "a", "b")), (1, Make(10, "a", "c")));
        v.Files(1)[0].BeingCompacted = true;

        Assert.Null(picker.PickCompaction(v, new byte[]?[4]));
        Assert.All(v.Files(0), f => Assert.False(f.BeingCompacted));
    }

    [Fact]
    public void PickCompaction_NextLevelFileBusy_SkipsToNextFile()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, [.. FullL1(), (2, Make(200, K(0), K(3))), (2, Make(201, K(10), K(12)))]);
        v.Files(2)[0].BeingCompacted = true;

        using Compactions.Compaction? c = picker.PickCompaction(v, new byte[]?[4]);

        Assert.NotNull(c);
        Assert.Equal([101UL], Numbers(c.Inputs0));
        Assert.Equal([201UL], Numbers(c.Inputs1));
    }

    [Fact]
    public void PickCompaction_NextLevelSpansNeighbours_ExpandsLevelInputs()
    {
        var picker = new CompactionPicker(SmallOptions());

        // L1 holds 12 000 bytes (score 1.2); the L2 file spans L1 files 1 and 2, so picking #1 pulls in #2 too.
        Version v = Build(
            4,
            (1, Make(1, "a", "b", size: 4_000)),
            (1, Make(2, "c", "d", size: 4_000)),
            (1, Make(3, "x", "y", size: 4_000)),
            (2, Make(20, "a", "d")),
            (3, Make(30, "b", "c")),
            (3, Make(31, "x", "z")));

        using Compactions.Compaction? c = picker.PickCompaction(v, new byte[]?[4]);

        Assert.NotNull(c);
        Assert.Equal([1UL, 2UL], Numbers(c.Inputs0));
        Assert.Equal([20UL], Numbers(c.Inputs1));
        Assert.Equal([30UL], Numbers(c.Grandparents));
        Assert.Equal(InternalKey.Create(Key("d"), 100, ValueKind.Put), c.CompactPointer);
    }

    [Fact]
    public void PickCompaction_LastLevelOverTarget_NeverPicked()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, (3, Make(1, "a", "b", size: 1L << 40)), (3, Make(2, "c", "d", size: 1L << 40)));

        Assert.False(picker.NeedsCompaction(v));
        Assert.Null(picker.PickCompaction(v, new byte[]?[4]));
    }

    [Fact]
    public void PickManual_RangeInLevel1_RunsInPiecesOfTargetFileSize()
    {
        var picker = new CompactionPicker(SmallOptions());
        var files = new List<(int, FileMetadata)>();
        for (int i = 0; i < 5; i++)
        {
            files.Add((1, Make((ulong)(10 + i), K(i * 10), K((i * 10) + 5), size: 400)));
        }

        files.Add((2, Make(50, K(22), K(24))));
        Version v = Build(4, [.. files]);

        using Compactions.Compaction? c = picker.PickManual(v, 1, Key(K(3)), Key(K(45)));

        Assert.NotNull(c);
        Assert.True(c.IsManual);
        Assert.Equal(1, c.Level);
        Assert.Equal([10UL, 11UL, 12UL], Numbers(c.Inputs0));
        Assert.Equal([50UL], Numbers(c.Inputs1));
        Assert.Equal(Key(K(25)), InternalKey.UserKey(c.CompactPointer).ToArray());
    }

    [Fact]
    public void PickManual_NothingInRangeOrBusy_ReturnsNull()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, (1, Make(1, "c", "d")), (0, Make(2, "a", "b")), (0, Make(3, "b", "e")));

        Assert.Null(picker.PickManual(v, 1, Key("e"), Key("z")));
        Assert.Null(picker.PickManual(v, 2, [], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => picker.PickManual(v, 3, [], []));

        v.Files(1)[0].BeingCompacted = true;
        Assert.Null(picker.PickManual(v, 1, [], []));
        Assert.True(v.OverlapInLevel(1, [], []));
    }

    [Fact]
    public void PickManual_L0_TakesTransitivelyOverlappingFiles()
    {
        var picker = new CompactionPicker(SmallOptions());
        Version v = Build(4, (0, Make(1, "a", "c")), (0, Make(2, "c", "f")), (0, Make(3, "x", "z")), (1, Make(10, "e", "g")));

        using Compactions.Compaction? c = picker.PickManual(v, 0, Key("a"), Key("a"));

        Assert.NotNull(c);
        Assert.Equal([2UL, 1UL], Numbers(c.Inputs0));
        Assert.Equal([10UL], Numbers(c.Inputs1));
    }

    [Fact]
    public void PickCompaction_ReturnedCompaction_HoldsVersionReferenceUntilDisposed()
    {
        int calls = 0;
        var picker = new CompactionPicker(SmallOptions());
        Version built = Build(4, FullL1());
        var v = new Version([.. Enumerable.Range(0, 4).Select(l => built.Files(l).ToArray())], _ => calls++);
        v.Ref();

        Compactions.Compaction? c = picker.PickCompaction(v, new byte[]?[4]);
        Assert.NotNull(c);
        Assert.Equal(2, v.RefCount);
        v.Unref();
        Assert.Equal(0, calls);
        c.Dispose();
        c.Dispose();

        Assert.Equal(1, calls);
    }
}
