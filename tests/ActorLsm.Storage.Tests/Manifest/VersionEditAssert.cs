using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;

namespace ActorLsm.Storage.Tests.Manifest;

/// <summary>Field-by-field comparison of version edits (VersionEdit has no equality of its own).</summary>
internal static class VersionEditAssert
{
    public static void Equal(VersionEdit expected, VersionEdit actual)
    {
        Assert.Equal(expected.LogNumber, actual.LogNumber);
        Assert.Equal(expected.NextFileNumber, actual.NextFileNumber);
        Assert.Equal(expected.LastSequence, actual.LastSequence);
        Assert.Equal(expected.CompactPointers.Count, actual.CompactPointers.Count);
        for (int i = 0; i < expected.CompactPointers.Count; i++)
        {
            Assert.Equal(expected.CompactPointers[i].Level, actual.CompactPointers[i].Level);
            Assert.Equal(expected.CompactPointers[i].InternalKey, actual.CompactPointers[i].InternalKey);
        }

        Assert.True(expected.DeletedFiles.SetEquals(actual.DeletedFiles), "deleted files differ");
        Assert.Equal(expected.NewFiles.Count, actual.NewFiles.Count);
        for (int i = 0; i < expected.NewFiles.Count; i++)
        {
            var (level, file) = expected.NewFiles[i];
            var (actualLevel, actualFile) = actual.NewFiles[i];
            Assert.Equal(level, actualLevel);
            Assert.Equal(file.Number, actualFile.Number);
            Assert.Equal(file.Size, actualFile.Size);
            Assert.Equal(file.Smallest, actualFile.Smallest);
            Assert.Equal(file.Largest, actualFile.Largest);
            Assert.Equal(file.SmallestSequence, actualFile.SmallestSequence);
            Assert.Equal(file.LargestSequence, actualFile.LargestSequence);
        }
    }

    /// <summary>An edit with every field set, including extreme values.</summary>
    public static VersionEdit Full(ulong salt = 0)
    {
        var edit = new VersionEdit
        {
            LogNumber = 17 + salt,
            NextFileNumber = ulong.MaxValue - salt,
            LastSequence = InternalKey.MaxSequence - salt,
        };
        edit.CompactPointers.Add((1, InternalKey.Create("apple"u8, 5 + salt, ValueKind.Put)));
        edit.CompactPointers.Add((15, InternalKey.Create([], 0, ValueKind.Delete)));
        edit.DeleteFile(0, 3 + salt);
        edit.DeleteFile(6, ulong.MaxValue);
        edit.AddFile(0, new FileMetadata(
            20 + salt,
            4096,
            InternalKey.Create("a"u8, 100, ValueKind.Put),
            InternalKey.Create("zz"u8, 7, ValueKind.Delete),
            7,
            100 + salt));
        edit.AddFile(3, new FileMetadata(
            21 + salt,
            long.MaxValue,
            InternalKey.Create(new byte[300], InternalKey.MaxSequence, ValueKind.Put),
            InternalKey.Create(new byte[] { 0xFF, 0x00 }, 0, ValueKind.Put),
            0,
            InternalKey.MaxSequence));
        return edit;
    }
}
