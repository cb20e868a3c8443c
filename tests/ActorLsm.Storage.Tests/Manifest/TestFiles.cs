using System.Text;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Tests.Manifest;

/// <summary>Builds <see cref="FileMetadata"/> and versions for version and compaction tests.</summary>
internal static class TestFiles
{
    public static byte[] Key(string userKey) => Encoding.ASCII.GetBytes(userKey);

    /// <summary>A file spanning [smallest, largest] (user keys, both written with sequence <paramref name="seq"/> as puts).</summary>
    public static FileMetadata Make(ulong number, string smallest, string largest, long size = 1000, ulong seq = 100) =>
        new(number, size, InternalKey.Create(Key(smallest), seq, ValueKind.Put), InternalKey.Create(Key(largest), seq, ValueKind.Put), seq, seq);

    /// <summary>A version holding <paramref name="files"/>, built through <see cref="VersionBuilder"/>.</summary>
    public static Version Build(int numLevels, params (int Level, FileMetadata File)[] files)
    {
        var edit = new VersionEdit();
        foreach ((int level, FileMetadata file) in files)
        {
            edit.AddFile(level, file);
        }

        var builder = new VersionBuilder(Version.Empty(numLevels, null), numLevels);
        builder.Apply(edit);
        return builder.Build(null);
    }

    public static ulong[] Numbers(IEnumerable<FileMetadata> files)
    {
        var result = new List<ulong>();
        foreach (FileMetadata f in files)
        {
            result.Add(f.Number);
        }

        return [.. result];
    }
}
