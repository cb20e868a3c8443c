using System.Diagnostics;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// Applies a sequence of <see cref="VersionEdit"/>s to a base <see cref="Version"/> and builds
/// the resulting version without materializing the intermediate ones (LevelDB's
/// VersionSet::Builder). Within one edit, deletions apply before additions, so an edit may move
/// a file between levels (trivial move) by deleting and re-adding its number.
/// Validation errors are <see cref="CorruptionException"/>s: adding a file number that is live
/// at any level, deleting a file the level does not hold, a level outside the version, an
/// inverted file range, or two files of a level &gt;= 1 whose user-key ranges overlap.
/// Not thread-safe; one builder per recovery or per installed edit.
/// </summary>
internal sealed class VersionBuilder
{
    private readonly Version _base;
    private readonly int _numLevels;

    /// <summary>Level of every base file, by file number.</summary>
    private readonly Dictionary<ulong, int> _baseLevelOf;
    private readonly HashSet<ulong>[] _deleted;
    private readonly Dictionary<ulong, FileMetadata>[] _added;

    /// <summary>Level of every file added by the applied edits and still live, by file number.</summary>
    private readonly Dictionary<ulong, int> _addedLevelOf = [];

    /// <summary>
    /// Starts from <paramref name="baseVersion"/>. <paramref name="numLevels"/> may exceed the
    /// base's level count (levels are added empty); throws <see cref="CorruptionException"/> if a
    /// base level that would be dropped holds files.
    /// </summary>
    public VersionBuilder(Version baseVersion, int numLevels)
    {
        ArgumentNullException.ThrowIfNull(baseVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLevels, 1);
        _base = baseVersion;
        _numLevels = numLevels;
        _deleted = new HashSet<ulong>[numLevels];
        _added = new Dictionary<ulong, FileMetadata>[numLevels];
        for (int level = 0; level < numLevels; level++)
        {
            _deleted[level] = [];
            _added[level] = [];
        }

        _baseLevelOf = [];
        for (int level = 0; level < baseVersion.NumLevels; level++)
        {
            if (level >= numLevels && baseVersion.NumFiles(level) > 0)
            {
                throw new CorruptionException(
                    $"version has files at level {level} but the store is configured with {numLevels} levels");
            }

            foreach (FileMetadata f in baseVersion.FileSpan(level))
            {
                _baseLevelOf[f.Number] = level;
            }
        }
    }

    /// <summary>A version with <paramref name="numLevels"/> empty levels (same as <see cref="Version.Empty"/>).</summary>
    public static Version Empty(int numLevels, Action<Version>? onUnreferenced) => Version.Empty(numLevels, onUnreferenced);

    /// <summary>
    /// Applies the file deletions, then the file additions, of <paramref name="edit"/>.
    /// Counters and compact pointers in the edit are not the builder's concern.
    /// Throws <see cref="CorruptionException"/> as described on the type; after a throw the
    /// builder is in an unspecified state and must be discarded.
    /// </summary>
    public void Apply(VersionEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        foreach ((int level, ulong number) in edit.DeletedFiles)
        {
            CheckLevel(level, number);
            Delete(level, number);
        }

        foreach ((int level, FileMetadata file) in edit.NewFiles)
        {
            CheckLevel(level, file.Number);
            Add(level, file);
        }
    }

    /// <summary>
    /// Builds the version holding base files not deleted plus added files, ordered as
    /// <see cref="Version"/> requires. Throws <see cref="CorruptionException"/> when a level
    /// &gt;= 1 ends up with overlapping files. The builder may keep applying edits afterwards.
    /// </summary>
    public Version Build(Action<Version>? onUnreferenced)
    {
        var levels = new FileMetadata[_numLevels][];
        for (int level = 0; level < _numLevels; level++)
        {
            levels[level] = BuildLevel(level);
        }

        for (int level = 1; level < _numLevels; level++)
        {
            CheckDisjoint(level, levels[level]);
        }

        return new Version(levels, onUnreferenced);
    }

    private void CheckLevel(int level, ulong number)
    {
        if ((uint)level >= (uint)_numLevels)
        {
            throw new CorruptionException($"version edit names file #{number} at level {level}, outside levels 0..{_numLevels - 1}");
        }
    }

    private bool IsLive(ulong number, out int level)
    {
        if (_addedLevelOf.TryGetValue(number, out level))
        {
            return true;
        }

        return _baseLevelOf.TryGetValue(number, out level) && !_deleted[level].Contains(number);
    }

    private void Delete(int level, ulong number)
    {
        if (_added[level].Remove(number))
        {
            _addedLevelOf.Remove(number);
            return;
        }

        if (_baseLevelOf.TryGetValue(number, out int baseLevel) && baseLevel == level && _deleted[level].Add(number))
        {
            return;
        }

        throw new CorruptionException($"version edit deletes file #{number} from level {level}, which does not hold it");
    }

    private void Add(int level, FileMetadata file)
    {
        if (IsLive(file.Number, out int liveLevel))
        {
            throw new CorruptionException($"version edit adds file #{file.Number} to level {level}, but it is already live at level {liveLevel}");
        }

        if (file.Smallest.Length < InternalKey.TrailerSize || file.Largest.Length < InternalKey.TrailerSize ||
            InternalKey.Compare(file.Smallest, file.Largest) > 0)
        {
            throw new CorruptionException($"version edit adds file with an invalid key range: {file}");
        }

        _added[level].Add(file.Number, file);
        _addedLevelOf.Add(file.Number, level);
    }

    private FileMetadata[] BuildLevel(int level)
    {
        ReadOnlySpan<FileMetadata> baseFiles = level < _base.NumLevels ? _base.FileSpan(level) : [];
        HashSet<ulong> deleted = _deleted[level];
        Dictionary<ulong, FileMetadata> added = _added[level];
        if (deleted.Count == 0 && added.Count == 0)
        {
            return baseFiles.ToArray();
        }

        Comparison<FileMetadata> order = level == 0 ? CompareNewestFirst : CompareBySmallestKey;
        var addedSorted = new FileMetadata[added.Count];
        added.Values.CopyTo(addedSorted, 0);
        Array.Sort(addedSorted, order);

        // Merge the base files (already in order) that survive with the sorted additions.
        var result = new FileMetadata[baseFiles.Length - deleted.Count + addedSorted.Length];
        int n = 0;
        int a = 0;
        foreach (FileMetadata f in baseFiles)
        {
            if (deleted.Contains(f.Number))
            {
                continue;
            }

            while (a < addedSorted.Length && order(addedSorted[a], f) < 0)
            {
                result[n++] = addedSorted[a++];
            }

            result[n++] = f;
        }

        while (a < addedSorted.Length)
        {
            result[n++] = addedSorted[a++];
        }

        Debug.Assert(n == result.Length, "deleted files must all come from this base level");
        return result;
    }

    private static int CompareNewestFirst(FileMetadata x, FileMetadata y) => y.Number.CompareTo(x.Number);

    private static int CompareBySmallestKey(FileMetadata x, FileMetadata y)
    {
        int c = InternalKey.Compare(x.Smallest, y.Smallest);
        return c != 0 ? c : x.Number.CompareTo(y.Number);
    }

    private static void CheckDisjoint(int level, FileMetadata[] files)
    {
        for (int i = 1; i < files.Length; i++)
        {
            if (files[i - 1].LargestUserKey.SequenceCompareTo(files[i].SmallestUserKey) >= 0)
            {
                throw new CorruptionException(
                    $"level {level} would hold overlapping files {files[i - 1]} and {files[i]}");
            }
        }
    }
}
