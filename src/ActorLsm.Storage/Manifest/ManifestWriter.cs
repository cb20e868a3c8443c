using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// Writes a new manifest file: a log (Wal/FORMAT.md framing) whose records are encoded
/// <see cref="VersionEdit"/>s (Manifest/FORMAT.md), each fsynced before <see cref="Append"/>
/// returns, as LevelDB's VersionSet::LogAndApply does. The first record of a new manifest is
/// normally a snapshot of the whole current version. The file becomes the live manifest only
/// when CURRENT names it (<see cref="CurrentFile.Install"/>, which also fsyncs the directory
/// entry of this file). Not thread-safe: the version set serializes appends.
/// </summary>
internal sealed class ManifestWriter : IDisposable
{
    private readonly LogWriter _log;

    /// <summary>Creates the manifest file at <paramref name="path"/>, emptying any file already there.</summary>
    public ManifestWriter(string path, IFileSystem? fileSystem = null)
    {
        _log = new LogWriter(path, truncate: true, fileSystem: fileSystem);
    }

    /// <summary>The manifest file's path.</summary>
    public string Path => _log.Path;

    /// <summary>Bytes written to the manifest so far (the engine starts a new manifest when this grows large).</summary>
    public long Length => _log.Length;

    /// <summary>Encodes <paramref name="edit"/> as one record, appends it and fsyncs: the edit is durable on return.</summary>
    /// <exception cref="ArgumentException">The edit does not encode (see <see cref="VersionEditCodec.Encode"/>).</exception>
    /// <exception cref="IOException">The write or fsync failed; the writer is then unusable and the edit must be treated as not installed.</exception>
    public void Append(VersionEdit edit)
    {
        byte[] record = VersionEditCodec.Encode(edit);
        _log.AddRecord(record, LogFormat.Full);
        _log.Sync();
    }

    /// <summary>Closes the file. Every appended edit is already durable.</summary>
    public void Dispose() => _log.Dispose();
}
