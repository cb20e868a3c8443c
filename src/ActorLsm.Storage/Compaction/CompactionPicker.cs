using System.Diagnostics.CodeAnalysis;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage.Compactions;

/// <summary>
/// Chooses leveled compactions, after LevelDB's VersionSet::PickCompaction and RocksDB's
/// leveled picker. Each level gets a score: L0 counts files against
/// <see cref="LsmOptions.L0CompactionTrigger"/>, deeper levels weigh bytes against
/// <see cref="MaxBytesForLevel"/>. The highest-scoring level with score &gt;= 1 whose inputs are
/// free is compacted into the next level; the last level is never an input.
/// <para>
/// Several compactions may run at once: a picked compaction's inputs are marked
/// <see cref="FileMetadata.BeingCompacted"/> before it is returned, and later picks avoid marked
/// files (at most one L0 compaction runs at a time). REQUIRES: every method runs under the
/// version-set lock, which also guards the marks. The returned compaction holds a reference on
/// the version; dispose it when done.
/// </para>
/// </summary>
internal sealed class CompactionPicker
{
    /// <summary>Input bytes a compaction may reach by expanding its level inputs, in target file sizes (RocksDB's max_compaction_bytes default).</summary>
    private const int ExpandedCompactionFactor = 25;

    private readonly LsmOptions _options;

    public CompactionPicker(LsmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Largest input size a compaction grows to by expansion: 25 x target file size.</summary>
    public long MaxExpandedCompactionBytes => ExpandedCompactionFactor * _options.TargetFileSize;

    /// <summary>
    /// Byte target of <paramref name="level"/>: <see cref="LsmOptions.MaxBytesForLevelBase"/> for
    /// L1 (and L0, which is scored by file count instead), times
    /// <see cref="LsmOptions.LevelSizeMultiplier"/> per deeper level; saturates at <see cref="long.MaxValue"/>.
    /// </summary>
    public long MaxBytesForLevel(int level)
    {
        long result = _options.MaxBytesForLevelBase;
        for (int i = 1; i < level; i++)
        {
            if (result > long.MaxValue / _options.LevelSizeMultiplier)
            {
                return long.MaxValue;
            }

            result *= _options.LevelSizeMultiplier;
        }

        return result;
    }

    /// <summary>
    /// Compaction score per level (length <see cref="Version.NumLevels"/>): L0 = files not being
    /// compacted / L0CompactionTrigger; Ln = bytes not being compacted / MaxBytesForLevel(n).
    /// The last level is never an input, so its entry is 0. A score &gt;= 1 asks for compaction.
    /// </summary>
    public double[] ComputeScores(Version v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var scores = new double[v.NumLevels];
        for (int level = 0; level < v.NumLevels - 1; level++)
        {
            if (level == 0)
            {
                int count = 0;
                foreach (FileMetadata f in v.FileSpan(0))
                {
                    if (!f.BeingCompacted)
                    {
                        count++;
                    }
                }

                scores[0] = (double)count / _options.L0CompactionTrigger;
            }
            else
            {
                long bytes = 0;
                foreach (FileMetadata f in v.FileSpan(level))
                {
                    if (!f.BeingCompacted)
                    {
                        bytes += f.Size;
                    }
                }

                scores[level] = (double)bytes / MaxBytesForLevel(level);
            }
        }

        return scores;
    }

    /// <summary>True when some level scores &gt;= 1 (a pick may still find every candidate busy).</summary>
    public bool NeedsCompaction(Version v)
    {
        foreach (double score in ComputeScores(v))
        {
            if (score >= 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Picks a size-triggered compaction from <paramref name="v"/>, or null when no level scores
    /// &gt;= 1 or every candidate conflicts with a running compaction. Levels are tried by score,
    /// highest first. L0 takes every L0 file (only when none is being compacted). A deeper level
    /// takes the first free file after <paramref name="compactPointers"/>[level] (an internal key;
    /// null or missing = start of the level; wraps around). Then the overlapping next-level files
    /// are added (they must all be free), level inputs are expanded when that keeps the next-level
    /// inputs unchanged, and grandparents are computed.
    /// Side effects: the inputs are marked being compacted; for a level &gt;= 1,
    /// <paramref name="compactPointers"/>[level] (when the array is long enough) is set to the
    /// largest key of the level inputs, so the next pick there moves on at once; persist it with
    /// <see cref="Compaction.CompactPointer"/>. The compaction holds a reference on <paramref name="v"/>.
    /// </summary>
    public Compaction? PickCompaction(Version v, byte[]?[] compactPointers)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(compactPointers);
        double[] scores = ComputeScores(v);
        Span<bool> tried = stackalloc bool[scores.Length];
        while (true)
        {
            int best = -1;
            for (int level = 0; level < scores.Length - 1; level++)
            {
                if (!tried[level] && scores[level] >= 1 && (best < 0 || scores[level] > scores[best]))
                {
                    best = level;
                }
            }

            if (best < 0)
            {
                return null;
            }

            tried[best] = true;
            List<FileMetadata>? inputs0 = best == 0 ? PickL0Inputs(v) : null;
            List<FileMetadata>? inputs1 = null;
            if (best == 0)
            {
                if (inputs0 is not null && !TryNextLevelInputs(v, 0, inputs0, out inputs1))
                {
                    inputs0 = null;
                }
            }
            else
            {
                byte[]? pointer = best < compactPointers.Length ? compactPointers[best] : null;
                inputs0 = PickLevelInputs(v, best, pointer, out inputs1);
            }

            if (inputs0 is null || inputs1 is null)
            {
                continue;
            }

            Compaction c = Finish(v, best, inputs0, inputs1, isManual: false);
            if (best > 0 && best < compactPointers.Length)
            {
                compactPointers[best] = c.CompactPointer;
            }

            return c;
        }
    }

    /// <summary>
    /// Picks a compaction of <paramref name="level"/> into level + 1 for the user-key range
    /// [begin, end] (inclusive; an empty span is unbounded), as CompactRange does. For levels
    /// &gt; 0 the level inputs stop once they reach <see cref="LsmOptions.TargetFileSize"/> bytes,
    /// so a large range is compacted in steps: call again from the user key of
    /// <see cref="Compaction.CompactPointer"/> until null is returned. Returns null when no file
    /// of the level overlaps the range, or when an input would be one being compacted now (tell
    /// the two apart with <see cref="Version.OverlapInLevel"/>). Inputs are marked being
    /// compacted; the compaction holds a reference on <paramref name="v"/>.
    /// REQUIRES: 0 &lt;= level &lt; NumLevels - 1 (else <see cref="ArgumentOutOfRangeException"/>).
    /// </summary>
    public Compaction? PickManual(Version v, int level, ReadOnlySpan<byte> beginUserKey, ReadOnlySpan<byte> endUserKey)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, v.NumLevels - 1);
        List<FileMetadata> inputs0 = v.GetOverlappingInputs(level, beginUserKey, endUserKey);
        if (inputs0.Count == 0)
        {
            return null;
        }

        if (level == 0)
        {
            // L0 files overlapping the chosen ones must go together, and no two L0 compactions run at once.
            foreach (FileMetadata f in v.FileSpan(0))
            {
                if (f.BeingCompacted)
                {
                    return null;
                }
            }
        }
        else
        {
            long total = 0;
            for (int i = 0; i < inputs0.Count; i++)
            {
                total += inputs0[i].Size;
                if (total >= _options.TargetFileSize)
                {
                    inputs0.RemoveRange(i + 1, inputs0.Count - i - 1);
                    break;
                }
            }

            if (AnyBeingCompacted(inputs0))
            {
                return null;
            }
        }

        if (!TryNextLevelInputs(v, level, inputs0, out List<FileMetadata>? inputs1))
        {
            return null;
        }

        return Finish(v, level, inputs0, inputs1, isManual: true);
    }

    /// <summary>All L0 files, or null if one of them is being compacted.</summary>
    private static List<FileMetadata>? PickL0Inputs(Version v)
    {
        ReadOnlySpan<FileMetadata> files = v.FileSpan(0);
        var inputs = new List<FileMetadata>(files.Length);
        foreach (FileMetadata f in files)
        {
            if (f.BeingCompacted)
            {
                return null;
            }

            inputs.Add(f);
        }

        return inputs.Count > 0 ? inputs : null;
    }

    /// <summary>
    /// Round-robin choice at a level &gt;= 1: starting after <paramref name="pointer"/>, the first
    /// free file whose next-level overlap is free too.
    /// </summary>
    private static List<FileMetadata>? PickLevelInputs(Version v, int level, byte[]? pointer, out List<FileMetadata>? inputs1)
    {
        ReadOnlySpan<FileMetadata> files = v.FileSpan(level);
        int start = 0;
        if (pointer is not null)
        {
            // First file whose largest key is after the pointer.
            start = v.FindFile(level, pointer);
            if (start < files.Length && InternalKey.Compare(files[start].Largest, pointer) <= 0)
            {
                start++;
            }
        }

        for (int step = 0; step < files.Length; step++)
        {
            FileMetadata f = files[(start + step) % files.Length];
            if (f.BeingCompacted)
            {
                continue;
            }

            var inputs0 = new List<FileMetadata>(1) { f };
            if (TryNextLevelInputs(v, level, inputs0, out inputs1))
            {
                return inputs0;
            }
        }

        inputs1 = null;
        return null;
    }

    /// <summary>Files of level + 1 overlapping <paramref name="inputs0"/>; false if one is being compacted.</summary>
    private static bool TryNextLevelInputs(Version v, int level, List<FileMetadata> inputs0, [NotNullWhen(true)] out List<FileMetadata>? inputs1)
    {
        GetRange(inputs0, null, out byte[] smallest, out byte[] largest);
        inputs1 = v.GetOverlappingInputs(level + 1, InternalKey.UserKey(smallest), InternalKey.UserKey(largest));
        if (AnyBeingCompacted(inputs1))
        {
            inputs1 = null;
            return false;
        }

        return true;
    }

    /// <summary>Expands the level inputs (LevelDB's SetupOtherInputs), computes grandparents, marks inputs and takes a version reference.</summary>
    private Compaction Finish(Version v, int level, List<FileMetadata> inputs0, List<FileMetadata> inputs1, bool isManual)
    {
        if (level > 0 && inputs1.Count > 0)
        {
            GetRange(inputs0, inputs1, out byte[] allSmallest, out byte[] allLargest);
            List<FileMetadata> expanded0 = v.GetOverlappingInputs(level, InternalKey.UserKey(allSmallest), InternalKey.UserKey(allLargest));
            if (expanded0.Count > inputs0.Count &&
                !AnyBeingCompacted(expanded0) &&
                SumSizes(expanded0) + SumSizes(inputs1) < MaxExpandedCompactionBytes)
            {
                GetRange(expanded0, null, out byte[] newSmallest, out byte[] newLargest);
                List<FileMetadata> expanded1 = v.GetOverlappingInputs(level + 1, InternalKey.UserKey(newSmallest), InternalKey.UserKey(newLargest));
                if (expanded1.Count == inputs1.Count)
                {
                    inputs0 = expanded0;
                    inputs1 = expanded1;
                }
            }
        }

        List<FileMetadata> grandparents;
        if (level + 2 < v.NumLevels)
        {
            GetRange(inputs0, inputs1, out byte[] smallest, out byte[] largest);
            grandparents = v.GetOverlappingInputs(level + 2, InternalKey.UserKey(smallest), InternalKey.UserKey(largest));
        }
        else
        {
            grandparents = [];
        }

        v.Ref();
        var c = new Compaction(v, level, inputs0, inputs1, grandparents, _options.TargetFileSize, _options.MaxGrandparentOverlapBytes, isManual);
        c.MarkInputsBeingCompacted(true);
        return c;
    }

    /// <summary>Smallest and largest internal keys over <paramref name="a"/> and <paramref name="b"/>. REQUIRES: a is not empty.</summary>
    private static void GetRange(List<FileMetadata> a, List<FileMetadata>? b, out byte[] smallest, out byte[] largest)
    {
        smallest = a[0].Smallest;
        largest = a[0].Largest;
        Widen(a, ref smallest, ref largest);
        if (b is not null)
        {
            Widen(b, ref smallest, ref largest);
        }
    }

    private static void Widen(List<FileMetadata> files, ref byte[] smallest, ref byte[] largest)
    {
        foreach (FileMetadata f in files)
        {
            if (InternalKey.Compare(f.Smallest, smallest) < 0)
            {
                smallest = f.Smallest;
            }

            if (InternalKey.Compare(f.Largest, largest) > 0)
            {
                largest = f.Largest;
            }
        }
    }

    private static bool AnyBeingCompacted(List<FileMetadata> files)
    {
        foreach (FileMetadata f in files)
        {
            if (f.BeingCompacted)
            {
                return true;
            }
        }

        return false;
    }

    private static long SumSizes(List<FileMetadata> files)
    {
        long total = 0;
        foreach (FileMetadata f in files)
        {
            total += f.Size;
        }

        return total;
    }
}
