using System.Diagnostics;
using System.Text;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// An immutable set of live SSTables, per level (LevelDB's <c>Version</c>, version_set.h).
/// L0 files are ordered newest first (file number descending) and may overlap one another.
/// Files of levels &gt;= 1 are sorted by smallest key and their user-key ranges are disjoint
/// (strictly: no user key is split across two files of one level, as in RocksDB), so a point
/// lookup needs at most one file per level &gt;= 1.
/// <para>
/// Reference counting: a new version holds no references. Whoever installs it as current, or
/// reads from it (a Get, an iterator, a compaction), calls <see cref="Ref"/> and later
/// <see cref="Unref"/>. When the count drops back to zero the <c>onUnreferenced</c> callback
/// runs exactly once (on the thread of the last <see cref="Unref"/>) and the version is dead:
/// any further <see cref="Ref"/> or <see cref="Unref"/> throws <see cref="InvalidOperationException"/>.
/// </para>
/// Empty key spans passed to the range queries mean "unbounded" on that side.
/// </summary>
internal sealed class Version
{
    /// <summary>Reference count of a version whose last reference was dropped.</summary>
    private const int Dead = -1;

    private readonly FileMetadata[][] _levels;
    private readonly long[] _levelBytes;
    private readonly Action<Version>? _onUnreferenced;
    private int _refs;

    /// <summary>
    /// Wraps per-level file arrays (the arrays are owned by the version from now on).
    /// REQUIRES: levels[0] sorted by file number descending; every deeper level sorted by
    /// smallest key with disjoint user-key ranges. <see cref="VersionBuilder"/> guarantees it.
    /// </summary>
    public Version(FileMetadata[][] levels, Action<Version>? onUnreferenced)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Length < 1)
        {
            throw new ArgumentException("a version needs at least one level", nameof(levels));
        }

        _levels = levels;
        _onUnreferenced = onUnreferenced;
        _levelBytes = new long[levels.Length];
        for (int level = 0; level < levels.Length; level++)
        {
            long bytes = 0;
            foreach (FileMetadata f in levels[level])
            {
                bytes += f.Size;
            }

            _levelBytes[level] = bytes;
        }

        AssertInvariants();
    }

    /// <summary>Number of levels, L0 included.</summary>
    public int NumLevels => _levels.Length;

    /// <summary>Current reference count (for tests and diagnostics; -1 once dead).</summary>
    public int RefCount => Volatile.Read(ref _refs);

    /// <summary>A version with <paramref name="numLevels"/> empty levels.</summary>
    public static Version Empty(int numLevels, Action<Version>? onUnreferenced)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numLevels, 1);
        var levels = new FileMetadata[numLevels][];
        for (int i = 0; i < numLevels; i++)
        {
            levels[i] = [];
        }

        return new Version(levels, onUnreferenced);
    }

    /// <summary>Files of <paramref name="level"/> in the order described on the type.</summary>
    public IReadOnlyList<FileMetadata> Files(int level) => _levels[level];

    /// <summary>The same files as <see cref="Files"/>, as a span (no interface dispatch on hot paths).</summary>
    public ReadOnlySpan<FileMetadata> FileSpan(int level) => _levels[level];

    public int NumFiles(int level) => _levels[level].Length;

    /// <summary>Total size in bytes of the files of <paramref name="level"/>.</summary>
    public long LevelBytes(int level) => _levelBytes[level];

    /// <summary>Every live file, level by level.</summary>
    public IEnumerable<FileMetadata> AllFiles()
    {
        foreach (FileMetadata[] level in _levels)
        {
            foreach (FileMetadata f in level)
            {
                yield return f;
            }
        }
    }

    /// <summary>Takes a reference. Throws <see cref="InvalidOperationException"/> if the version is dead.</summary>
    public void Ref()
    {
        while (true)
        {
            int current = Volatile.Read(ref _refs);
            if (current == Dead)
            {
                throw new InvalidOperationException("Ref on a version whose last reference was already dropped");
            }

            if (Interlocked.CompareExchange(ref _refs, current + 1, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Drops a reference; the last one runs the <c>onUnreferenced</c> callback once.
    /// Throws <see cref="InvalidOperationException"/> when no reference is held.
    /// </summary>
    public void Unref()
    {
        while (true)
        {
            int current = Volatile.Read(ref _refs);
            if (current <= 0)
            {
                throw new InvalidOperationException(
                    current == Dead ? "Unref on a dead version" : "Unref on a version that holds no reference");
            }

            int next = current == 1 ? Dead : current - 1;
            if (Interlocked.CompareExchange(ref _refs, next, current) == current)
            {
                if (next == Dead)
                {
                    _onUnreferenced?.Invoke(this);
                }

                return;
            }
        }
    }

    /// <summary>
    /// Binary search in a level &gt;= 1: index of the first file whose largest internal key is
    /// &gt;= <paramref name="internalKey"/>, or <see cref="NumFiles"/> when there is none
    /// (LevelDB's FindFile).
    /// </summary>
    public int FindFile(int level, ReadOnlySpan<byte> internalKey)
    {
        FileMetadata[] files = _levels[level];
        int lo = 0;
        int hi = files.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (InternalKey.Compare(files[mid].Largest, internalKey) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// Index in a level &gt;= 1 of the first file whose largest user key is &gt;= <paramref name="userKey"/>,
    /// or <see cref="NumFiles"/> when there is none.
    /// </summary>
    public int FindFileByUserKey(int level, ReadOnlySpan<byte> userKey)
    {
        FileMetadata[] files = _levels[level];
        int lo = 0;
        int hi = files.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (files[mid].LargestUserKey.SequenceCompareTo(userKey) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// The one file of level &gt;= 1 whose user-key range holds <paramref name="userKey"/>, or null.
    /// Allocation-free building block of a point lookup.
    /// </summary>
    public FileMetadata? FileForUserKey(int level, ReadOnlySpan<byte> userKey)
    {
        Debug.Assert(level >= 1, "L0 files may overlap; scan FileSpan(0) instead");
        FileMetadata[] files = _levels[level];
        int index = FindFileByUserKey(level, userKey);
        if (index < files.Length && userKey.SequenceCompareTo(files[index].SmallestUserKey) >= 0)
        {
            return files[index];
        }

        return null;
    }

    /// <summary>
    /// Appends to <paramref name="result"/> the files a point lookup of <paramref name="userKey"/>
    /// must consult, in the order to consult them: every L0 file whose range holds the key,
    /// newest first, then for each deeper level the single file whose range holds it.
    /// Allocation-free when <paramref name="result"/> has capacity (callers reuse the list).
    /// </summary>
    public void AddCandidateFilesForGet(ReadOnlySpan<byte> userKey, List<(int Level, FileMetadata File)> result)
    {
        foreach (FileMetadata f in _levels[0])
        {
            if (userKey.SequenceCompareTo(f.SmallestUserKey) >= 0 && userKey.SequenceCompareTo(f.LargestUserKey) <= 0)
            {
                result.Add((0, f));
            }
        }

        for (int level = 1; level < _levels.Length; level++)
        {
            FileMetadata? f = FileForUserKey(level, userKey);
            if (f is not null)
            {
                result.Add((level, f));
            }
        }
    }

    /// <summary>
    /// Files of <paramref name="level"/> whose user-key range intersects [begin, end] (both
    /// inclusive; an empty span is unbounded). For L0 the range grows transitively: when a
    /// chosen file reaches past the range, the range is widened and the scan restarts, so the
    /// result holds every L0 file that could shadow or be shadowed by a chosen one (LevelDB's
    /// GetOverlappingInputs). L0 results keep the newest-first order; others keep key order.
    /// </summary>
    public List<FileMetadata> GetOverlappingInputs(int level, ReadOnlySpan<byte> beginUserKey, ReadOnlySpan<byte> endUserKey)
    {
        var result = new List<FileMetadata>();
        FileMetadata[] files = _levels[level];
        bool hasBegin = !beginUserKey.IsEmpty;
        bool hasEnd = !endUserKey.IsEmpty;

        if (level > 0)
        {
            int start = hasBegin ? FindFileByUserKey(level, beginUserKey) : 0;
            for (int i = start; i < files.Length; i++)
            {
                if (hasEnd && files[i].SmallestUserKey.SequenceCompareTo(endUserKey) > 0)
                {
                    break;
                }

                result.Add(files[i]);
            }

            return result;
        }

        ReadOnlySpan<byte> begin = beginUserKey;
        ReadOnlySpan<byte> end = endUserKey;
        int index = 0;
        while (index < files.Length)
        {
            FileMetadata f = files[index++];
            if ((hasEnd && f.SmallestUserKey.SequenceCompareTo(end) > 0) ||
                (hasBegin && f.LargestUserKey.SequenceCompareTo(begin) < 0))
            {
                continue;
            }

            bool widened = false;
            if (hasBegin && f.SmallestUserKey.SequenceCompareTo(begin) < 0)
            {
                begin = f.SmallestUserKey;
                widened = true;
            }

            if (hasEnd && f.LargestUserKey.SequenceCompareTo(end) > 0)
            {
                end = f.LargestUserKey;
                widened = true;
            }

            if (widened)
            {
                // Files skipped earlier may overlap the wider range: start over.
                result.Clear();
                index = 0;
            }
            else
            {
                result.Add(f);
            }
        }

        return result;
    }

    /// <summary>
    /// True when some file of <paramref name="level"/> intersects the user-key range
    /// [smallest, largest] (inclusive; an empty span is unbounded).
    /// </summary>
    public bool OverlapInLevel(int level, ReadOnlySpan<byte> smallestUserKey, ReadOnlySpan<byte> largestUserKey)
    {
        FileMetadata[] files = _levels[level];
        bool hasSmallest = !smallestUserKey.IsEmpty;
        bool hasLargest = !largestUserKey.IsEmpty;
        if (level == 0)
        {
            foreach (FileMetadata f in files)
            {
                bool after = hasSmallest && f.LargestUserKey.SequenceCompareTo(smallestUserKey) < 0;
                bool before = hasLargest && f.SmallestUserKey.SequenceCompareTo(largestUserKey) > 0;
                if (!after && !before)
                {
                    return true;
                }
            }

            return false;
        }

        int index = hasSmallest ? FindFileByUserKey(level, smallestUserKey) : 0;
        if (index >= files.Length)
        {
            return false;
        }

        return !hasLargest || files[index].SmallestUserKey.SequenceCompareTo(largestUserKey) <= 0;
    }

    /// <summary>One line per non-empty level, listing its files.</summary>
    public string DebugString()
    {
        var sb = new StringBuilder();
        for (int level = 0; level < _levels.Length; level++)
        {
            sb.Append("--- level ").Append(level)
                .Append(" (").Append(_levels[level].Length).Append(" files, ")
                .Append(_levelBytes[level]).Append(" bytes) ---\n");
            foreach (FileMetadata f in _levels[level])
            {
                sb.Append("  ").Append(f).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Checks the ordering rules described on the type (DEBUG builds only).</summary>
    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        FileMetadata[] l0 = _levels[0];
        for (int i = 1; i < l0.Length; i++)
        {
            Debug.Assert(l0[i - 1].Number > l0[i].Number, "L0 must be ordered by file number descending");
        }

        for (int level = 1; level < _levels.Length; level++)
        {
            FileMetadata[] files = _levels[level];
            for (int i = 0; i < files.Length; i++)
            {
                Debug.Assert(InternalKey.Compare(files[i].Smallest, files[i].Largest) <= 0, "file range is inverted");
                if (i > 0)
                {
                    Debug.Assert(
                        files[i - 1].LargestUserKey.SequenceCompareTo(files[i].SmallestUserKey) < 0,
                        "files of a level >= 1 must be sorted and must not overlap");
                }
            }
        }
    }
}
