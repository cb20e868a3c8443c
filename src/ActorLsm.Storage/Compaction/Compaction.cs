using System.Diagnostics;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Compactions;

/// <summary>
/// One leveled compaction chosen by <see cref="CompactionPicker"/> (LevelDB's <c>Compaction</c>,
/// version_set.h): merge <see cref="Inputs0"/> (at <see cref="Level"/>) with
/// <see cref="Inputs1"/> (at <see cref="OutputLevel"/> = Level + 1) into new files at the output
/// level. <see cref="Grandparents"/> are the files of Level + 2 overlapping the inputs; output
/// files are cut early when they would overlap too many grandparent bytes, so a later compaction
/// of an output file stays small.
/// <para>
/// Lifetime: the compaction holds a reference on <see cref="InputVersion"/>, dropped by
/// <see cref="Dispose"/>. The picker has already marked the inputs as being compacted; call
/// <see cref="MarkInputsBeingCompacted"/>(false) under the version-set lock once the result is
/// installed or the compaction failed. <see cref="IsBaseLevelForKey"/> and
/// <see cref="ShouldStopBefore"/> keep cursors: one compaction job, one thread, keys in order.
/// </para>
/// The job must not split one user key across two output files (the builder rejects levels
/// whose files share a user key); cut output files only between different user keys.
/// </summary>
internal sealed class Compaction : IDisposable
{
    private readonly int[] _levelCursors;
    private readonly long _maxGrandparentOverlapBytes;
    private int _grandparentIndex;
    private bool _seenKey;
    private long _overlappedBytes;
    private bool _disposed;

    /// <summary>
    /// REQUIRES: the caller has taken a reference on <paramref name="inputVersion"/> for this
    /// compaction (released by <see cref="Dispose"/>); inputs0 in level order, inputs1 and
    /// grandparents in key order.
    /// </summary>
    public Compaction(
        Version inputVersion,
        int level,
        IReadOnlyList<FileMetadata> inputs0,
        IReadOnlyList<FileMetadata> inputs1,
        IReadOnlyList<FileMetadata> grandparents,
        long maxOutputFileSize,
        long maxGrandparentOverlapBytes,
        bool isManual)
    {
        ArgumentNullException.ThrowIfNull(inputVersion);
        ArgumentNullException.ThrowIfNull(inputs0);
        ArgumentOutOfRangeException.ThrowIfZero(inputs0.Count, nameof(inputs0));
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, inputVersion.NumLevels - 1);
        InputVersion = inputVersion;
        Level = level;
        OutputLevel = level + 1;
        Inputs0 = inputs0;
        Inputs1 = inputs1;
        Grandparents = grandparents;
        MaxOutputFileSize = maxOutputFileSize;
        _maxGrandparentOverlapBytes = maxGrandparentOverlapBytes;
        IsManual = isManual;
        _levelCursors = new int[inputVersion.NumLevels];

        long total = 0;
        foreach (FileMetadata f in inputs0)
        {
            total += f.Size;
        }

        foreach (FileMetadata f in inputs1)
        {
            total += f.Size;
        }

        TotalInputBytes = total;

        byte[] largest = inputs0[0].Largest;
        foreach (FileMetadata f in inputs0)
        {
            if (InternalKey.Compare(f.Largest, largest) > 0)
            {
                largest = f.Largest;
            }
        }

        CompactPointer = largest;
        AssertInvariants();
    }

    /// <summary>The version the inputs were picked from.</summary>
    public Version InputVersion { get; }

    /// <summary>Input level.</summary>
    public int Level { get; }

    /// <summary>Level the outputs go to: <see cref="Level"/> + 1.</summary>
    public int OutputLevel { get; }

    /// <summary>Input files at <see cref="Level"/> (L0: newest first; otherwise key order).</summary>
    public IReadOnlyList<FileMetadata> Inputs0 { get; }

    /// <summary>Input files at <see cref="OutputLevel"/> overlapping <see cref="Inputs0"/>, in key order.</summary>
    public IReadOnlyList<FileMetadata> Inputs1 { get; }

    /// <summary>Files at Level + 2 overlapping the key range of all inputs, in key order.</summary>
    public IReadOnlyList<FileMetadata> Grandparents { get; }

    /// <summary>Target size in bytes of one output file.</summary>
    public long MaxOutputFileSize { get; }

    /// <summary>True when picked for a CompactRange request rather than by score.</summary>
    public bool IsManual { get; }

    /// <summary>Bytes of all input files (both levels).</summary>
    public long TotalInputBytes { get; }

    /// <summary>
    /// Largest internal key of <see cref="Inputs0"/>: where the next round-robin pick at
    /// <see cref="Level"/> starts (record it in the edit's CompactPointers so it survives a
    /// restart), and where the next step of a manual compaction resumes.
    /// </summary>
    public byte[] CompactPointer { get; }

    /// <summary>
    /// The compaction may move its single input file to the output level by editing the
    /// manifest only: one input file, nothing to merge with at the output level, and no more
    /// grandparent overlap than one output file may have (LevelDB's IsTrivialMove).
    /// </summary>
    public bool IsTrivialMove =>
        Inputs0.Count == 1 && Inputs1.Count == 0 && SumSizes(Grandparents) <= _maxGrandparentOverlapBytes;

    /// <summary>Records the removal of every input file (both levels) in <paramref name="edit"/>.</summary>
    public void AddInputDeletions(VersionEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        foreach (FileMetadata f in Inputs0)
        {
            edit.DeleteFile(Level, f.Number);
        }

        foreach (FileMetadata f in Inputs1)
        {
            edit.DeleteFile(OutputLevel, f.Number);
        }
    }

    /// <summary>
    /// True when no level deeper than <see cref="OutputLevel"/> has a file whose range holds
    /// <paramref name="userKey"/>, so a tombstone for it (older than every snapshot) may be
    /// dropped. REQUIRES: successive calls pass non-decreasing user keys (the cursors only move forward).
    /// </summary>
    public bool IsBaseLevelForKey(ReadOnlySpan<byte> userKey)
    {
        for (int level = OutputLevel + 1; level < InputVersion.NumLevels; level++)
        {
            ReadOnlySpan<FileMetadata> files = InputVersion.FileSpan(level);
            ref int cursor = ref _levelCursors[level];
            while (cursor < files.Length)
            {
                FileMetadata f = files[cursor];
                if (userKey.SequenceCompareTo(f.LargestUserKey) <= 0)
                {
                    if (userKey.SequenceCompareTo(f.SmallestUserKey) >= 0)
                    {
                        return false;
                    }

                    break;
                }

                cursor++;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the current output file should be finished before <paramref name="internalKey"/>
    /// because it already overlaps more than the grandparent-overlap limit
    /// (<see cref="LsmOptions.MaxGrandparentOverlapBytes"/>); the overlap count restarts then.
    /// REQUIRES: internal keys passed in increasing order, one call per key the job outputs.
    /// </summary>
    public bool ShouldStopBefore(ReadOnlySpan<byte> internalKey)
    {
        IReadOnlyList<FileMetadata> gp = Grandparents;
        while (_grandparentIndex < gp.Count && InternalKey.Compare(internalKey, gp[_grandparentIndex].Largest) > 0)
        {
            if (_seenKey)
            {
                _overlappedBytes += gp[_grandparentIndex].Size;
            }

            _grandparentIndex++;
        }

        _seenKey = true;
        if (_overlappedBytes > _maxGrandparentOverlapBytes)
        {
            _overlappedBytes = 0;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Sets <see cref="FileMetadata.BeingCompacted"/> on every input file.
    /// REQUIRES: the version-set lock is held.
    /// </summary>
    public void MarkInputsBeingCompacted(bool value)
    {
        foreach (FileMetadata f in Inputs0)
        {
            f.BeingCompacted = value;
        }

        foreach (FileMetadata f in Inputs1)
        {
            f.BeingCompacted = value;
        }
    }

    /// <summary>Drops the reference on <see cref="InputVersion"/> (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            InputVersion.Unref();
        }
    }

    public override string ToString() =>
        $"Compaction(L{Level}->L{OutputLevel}, {Inputs0.Count}+{Inputs1.Count} files, {TotalInputBytes} bytes, {Grandparents.Count} grandparents{(IsManual ? ", manual" : string.Empty)})";

    /// <summary>Checks input ordering and that inputs come from the input version (DEBUG builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(Inputs0.Count > 0, "a compaction needs at least one input file at its level");
        for (int i = 1; i < Inputs1.Count; i++)
        {
            Debug.Assert(InternalKey.Compare(Inputs1[i - 1].Largest, Inputs1[i].Smallest) < 0, "inputs1 must be in key order");
        }

        for (int i = 1; i < Grandparents.Count; i++)
        {
            Debug.Assert(InternalKey.Compare(Grandparents[i - 1].Largest, Grandparents[i].Smallest) < 0, "grandparents must be in key order");
        }
    }

    private static long SumSizes(IReadOnlyList<FileMetadata> files)
    {
        long total = 0;
        for (int i = 0; i < files.Count; i++)
        {
            total += files[i].Size;
        }

        return total;
    }
}
