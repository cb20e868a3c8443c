using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using static ActorLsm.Storage.Tests.Manifest.TestFiles;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Tests.Manifest;

public class VersionBuilderTests
{
    private static VersionEdit Edit(Action<VersionEdit> fill)
    {
        var edit = new VersionEdit();
        fill(edit);
        return edit;
    }

    [Fact]
    public void Apply_SeveralEditsOverSteps_AddsAndDeletesPerLevel()
    {
        Version v0 = VersionBuilder.Empty(4, null);
        var b1 = new VersionBuilder(v0, 4);
        b1.Apply(Edit(e =>
        {
            e.AddFile(0, Make(1, "a", "d"));
            e.AddFile(0, Make(2, "c", "f"));
        }));
        b1.Apply(Edit(e => e.AddFile(1, Make(3, "m", "p"))));
        Version v1 = b1.Build(null);

        // A compaction of both L0 files into L1 and a trivial move of #3 to L2, in a second builder.
        var b2 = new VersionBuilder(v1, 4);
        b2.Apply(Edit(e =>
        {
            e.DeleteFile(0, 1);
            e.DeleteFile(0, 2);
            e.AddFile(1, Make(4, "a", "f"));
        }));
        b2.Apply(Edit(e =>
        {
            e.DeleteFile(1, 3);
            e.AddFile(2, Make(3, "m", "p"));
            e.AddFile(0, Make(5, "x", "z"));
        }));
        Version v2 = b2.Build(null);

        Assert.Equal([2UL, 1UL], Numbers(v1.Files(0)));
        Assert.Equal([3UL], Numbers(v1.Files(1)));
        Assert.Equal([5UL], Numbers(v2.Files(0)));
        Assert.Equal([4UL], Numbers(v2.Files(1)));
        Assert.Equal([3UL], Numbers(v2.Files(2)));
        Assert.Empty(v2.Files(3));
    }

    [Fact]
    public void Apply_AddThenDeleteInLaterEdit_FileIsGone()
    {
        var b = new VersionBuilder(VersionBuilder.Empty(3, null), 3);
        b.Apply(Edit(e => e.AddFile(1, Make(7, "a", "b"))));
        b.Apply(Edit(e => e.DeleteFile(1, 7)));

        Version v = b.Build(null);

        Assert.Empty(v.AllFiles());
    }

    [Fact]
    public void Build_OverlappingFilesInLevel1_ThrowsCorruption()
    {
        var b = new VersionBuilder(VersionBuilder.Empty(3, null), 3);
        b.Apply(Edit(e =>
        {
            e.AddFile(1, Make(1, "a", "m"));
            e.AddFile(1, Make(2, "k", "z"));
        }));

        var ex = Assert.Throws<CorruptionException>(() => b.Build(null));
        Assert.Contains("level 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SameUserKeyAcrossTwoLevel1Files_ThrowsCorruption()
    {
        var f1 = new FileMetadata(1, 10, InternalKey.Create(Key("a"), 9, ValueKind.Put), InternalKey.Create(Key("k"), 9, ValueKind.Put), 9, 9);
        var f2 = new FileMetadata(2, 10, InternalKey.Create(Key("k"), 5, ValueKind.Put), InternalKey.Create(Key("z"), 5, ValueKind.Put), 5, 5);
        var b = new VersionBuilder(VersionBuilder.Empty(3, null), 3);
        b.Apply(Edit(e =>
        {
            e.AddFile(1, f1);
            e.AddFile(1, f2);
        }));

        Assert.Throws<CorruptionException>(() => b.Build(null));
    }

    [Fact]
    public void Build_OverlappingFilesInL0_Allowed()
    {
        Version v = Build(3, (0, Make(1, "a", "m")), (0, Make(2, "k", "z")));

        Assert.Equal(2, v.NumFiles(0));
    }

    [Fact]
    public void Apply_DeleteMissingFile_ThrowsCorruption()
    {
        Version v = Build(3, (1, Make(1, "a", "b")));
        var b = new VersionBuilder(v, 3);

        var wrongLevel = Assert.Throws<CorruptionException>(() => b.Apply(Edit(e => e.DeleteFile(2, 1))));
        var missing = Assert.Throws<CorruptionException>(() => new VersionBuilder(v, 3).Apply(Edit(e => e.DeleteFile(1, 99))));

        Assert.Contains("#1", wrongLevel.Message, StringComparison.Ordinal);
        Assert.Contains("#99", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_AddLiveFile_ThrowsCorruption()
    {
        Version v = Build(3, (1, Make(1, "a", "b")));

        Assert.Throws<CorruptionException>(() => new VersionBuilder(v, 3).Apply(Edit(e => e.AddFile(2, Make(1, "x", "y")))));
        Assert.Throws<CorruptionException>(() => new VersionBuilder(v, 3).Apply(Edit(e => e.AddFile(1, Make(1, "a", "b")))));
    }

    [Fact]
    public void Apply_LevelOutsideVersion_ThrowsCorruption()
    {
        var b = new VersionBuilder(VersionBuilder.Empty(3, null), 3);

        Assert.Throws<CorruptionException>(() => b.Apply(Edit(e => e.AddFile(3, Make(1, "a", "b")))));
    }

    [Fact]
    public void Build_RandomEdits_MatchesModel()
    {
        const int Levels = 4;
        const int Slots = 40;
        for (int seed = 1; seed <= 10; seed++)
        {
            var rng = new Random(seed);

            // Model: (level, slot) -> file number. Each slot is a disjoint key range, so levels >= 1 never overlap.
            var model = new Dictionary<ulong, (int Level, int Slot)>();
            ulong next = 1;
            Version v = VersionBuilder.Empty(Levels, null);
            for (int step = 0; step < 15; step++)
            {
                var builder = new VersionBuilder(v, Levels);
                int edits = rng.Next(1, 4);
                for (int e = 0; e < edits; e++)
                {
                    var edit = new VersionEdit();
                    var live = model.Keys.ToList();
                    foreach (ulong number in live)
                    {
                        if (rng.Next(4) == 0)
                        {
                            edit.DeleteFile(model[number].Level, number);
                            model.Remove(number);
                        }
                    }

                    for (int a = rng.Next(0, 5); a > 0; a--)
                    {
                        int level = rng.Next(Levels);
                        int slot = rng.Next(Slots);
                        if (level > 0 && model.Values.Contains((level, slot)))
                        {
                            continue;
                        }

                        string lo = $"k{slot:D2}a";
                        string hi = $"k{slot:D2}{(char)('b' + rng.Next(0, 20))}";
                        edit.AddFile(level, Make(next, lo, hi));
                        model[next++] = (level, slot);
                    }

                    builder.Apply(edit);
                }

                v = builder.Build(null);
                for (int level = 0; level < Levels; level++)
                {
                    var expected = model.Where(kv => kv.Value.Level == level).Select(kv => kv.Key).ToHashSet();
                    IReadOnlyList<FileMetadata> files = v.Files(level);
                    Assert.True(expected.SetEquals(Numbers(files)), $"seed {seed} step {step} level {level}: files differ");
                    for (int i = 1; i < files.Count; i++)
                    {
                        bool ordered = level == 0
                            ? files[i - 1].Number > files[i].Number
                            : InternalKey.Compare(files[i - 1].Largest, files[i].Smallest) < 0;
                        Assert.True(ordered, $"seed {seed} step {step} level {level}: files out of order at {i}");
                    }
                }
            }
        }
    }
}
