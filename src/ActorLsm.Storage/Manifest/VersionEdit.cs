namespace ActorLsm.Storage.Manifest;

/// <summary>
/// One record of the manifest: the difference between two versions (LevelDB's VersionEdit):
/// files added and removed per level, and the counters the store must recover (log number,
/// next file number, last sequence). The byte layout is in Manifest/FORMAT.md.
/// </summary>
internal sealed class VersionEdit
{
    /// <summary>WAL segments numbered below this are fully covered by SSTables and may be deleted.</summary>
    public ulong? LogNumber { get; set; }

    public ulong? NextFileNumber { get; set; }

    public ulong? LastSequence { get; set; }

    /// <summary>Per level, the largest internal key of the last compaction there (round-robin picking).</summary>
    public List<(int Level, byte[] InternalKey)> CompactPointers { get; } = [];

    public HashSet<(int Level, ulong FileNumber)> DeletedFiles { get; } = [];

    public List<(int Level, FileMetadata File)> NewFiles { get; } = [];

    public void AddFile(int level, FileMetadata file) => NewFiles.Add((level, file));

    public void DeleteFile(int level, ulong fileNumber) => DeletedFiles.Add((level, fileNumber));

    public override string ToString() =>
        $"VersionEdit(log={LogNumber}, next={NextFileNumber}, last={LastSequence}, +{NewFiles.Count}, -{DeletedFiles.Count})";
}
