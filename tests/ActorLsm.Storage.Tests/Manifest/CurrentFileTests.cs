using System.Text;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tests.Wal;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tests.Manifest;

public sealed class CurrentFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void CreateManifest(ulong number)
    {
        using var writer = new ManifestWriter(FileNames.Manifest(_dir.Path, number));
        writer.Append(new VersionEdit { NextFileNumber = number + 1 });
    }

    [Fact]
    public void ReadManifestNumber_NoCurrent_ReturnsNull()
    {
        Assert.Null(CurrentFile.ReadManifestNumber(_dir.Path));
        Assert.Null(CurrentFile.ReadManifestNumber(_dir.File("missing")));
    }

    [Fact]
    public void Install_ThenRead_ReturnsManifestNumberAndRemovesTemp()
    {
        CreateManifest(123);

        CurrentFile.Install(_dir.Path, 123, 124);

        Assert.Equal(123UL, CurrentFile.ReadManifestNumber(_dir.Path));
        Assert.Equal("MANIFEST-000123\n", File.ReadAllText(FileNames.Current(_dir.Path)));
        Assert.False(File.Exists(FileNames.Temp(_dir.Path, 124)));
    }

    [Fact]
    public void Install_OverExistingCurrent_ReplacesIt()
    {
        CreateManifest(2);
        CreateManifest(1_234_567);
        CurrentFile.Install(_dir.Path, 2, 3);

        CurrentFile.Install(_dir.Path, 1_234_567, 1_234_568);

        Assert.Equal(1_234_567UL, CurrentFile.ReadManifestNumber(_dir.Path));
        Assert.Single(Directory.GetFiles(_dir.Path), f => Path.GetFileName(f) == FileNames.CurrentFileName);
    }

    [Fact]
    public void Install_MissingManifest_ThrowsAndKeepsOldCurrent()
    {
        CreateManifest(2);
        CurrentFile.Install(_dir.Path, 2, 3);

        Assert.Throws<FileNotFoundException>(() => CurrentFile.Install(_dir.Path, 9, 10));

        Assert.Equal(2UL, CurrentFile.ReadManifestNumber(_dir.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MANIFEST-000005")]
    [InlineData("MANIFEST-\n")]
    [InlineData("MANIFEST-5\n")]
    [InlineData("MANIFEST-000005\n\n")]
    [InlineData("MANIFEST-000005\r\n")]
    [InlineData(" MANIFEST-000005\n")]
    [InlineData("000005.log\n")]
    [InlineData("garbage\n")]
    public void ReadManifestNumber_MalformedCurrent_ThrowsCorruption(string content)
    {
        string path = FileNames.Current(_dir.Path);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(content));

        var e = Assert.Throws<CorruptionException>(() => CurrentFile.ReadManifestNumber(_dir.Path));

        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void ReadManifestNumber_OversizedCurrent_ThrowsCorruption()
    {
        File.WriteAllBytes(FileNames.Current(_dir.Path), new byte[10_000]);

        Assert.Throws<CorruptionException>(() => CurrentFile.ReadManifestNumber(_dir.Path));
    }

    [Fact]
    public void DirectorySync_ExistingDirectory_Succeeds()
    {
        DirectorySync.Sync(_dir.Path);

        Assert.True(Directory.Exists(_dir.Path));
    }

    [Fact]
    public void DirectorySync_MissingDirectory_Throws()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.True(true, "directory sync is a no-op on Windows");
            return;
        }

        Assert.Throws<DirectoryNotFoundException>(() => DirectorySync.Sync(_dir.File("missing")));
    }
}
