using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Compactions;

/// <summary>
/// Runs one <see cref="Compaction"/>: merges its input files and writes output SSTables for the
/// output level, cut at the target file size or when the grandparent overlap grows too large,
/// never splitting one user key across two files.
/// </summary>
/// <remarks>
/// Which versions are dropped (LevelDB's DoCompactionWork, with RocksDB's snapshot stripes):
/// open snapshots split the sequence space into stripes; an entry's stripe is the smallest open
/// snapshot at or above its sequence number (or "latest"). An entry is dropped when a newer
/// entry of the same user key lies in the same stripe: no snapshot and no current read can see
/// it. A tombstone is dropped when it is in the oldest stripe (no snapshot predates it) and no
/// level below the output level may hold the key (<see cref="Compaction.IsBaseLevelForKey"/>).
/// <para>
/// Expired values (<see cref="ValueKind.PutWithExpiry"/> whose expiry is at or before the store's
/// clock when the job starts) are handled as tombstones, as RocksDB handles a compaction filter's
/// removals: dropped where a tombstone would be dropped; elsewhere rewritten as a tombstone with
/// the same sequence number (no value bytes), because dropping it there would let an older
/// version below it, in a deeper level or visible to an open snapshot, reappear. Readers already
/// treat the expired value as a tombstone, so the rewrite changes nothing they can see.
/// </para>
/// REQUIRES: the inputs' version is pinned for the duration of <see cref="Run"/>.
/// </remarks>
internal sealed class CompactionJob
{
    private readonly string _dir;
    private readonly LsmOptions _options;
    private readonly TableCache _tableCache;
    private readonly Compaction _compaction;
    private readonly ulong[] _snapshots;
    private readonly Func<ulong> _newFileNumber;
    private readonly CompactionRateLimiter? _rateLimiter;

    /// <param name="dir">The store directory outputs are written to.</param>
    /// <param name="options">Block, filter and file-size settings of the outputs.</param>
    /// <param name="tableCache">Opens the input SSTables.</param>
    /// <param name="compaction">What to compact (inputs marked as being compacted).</param>
    /// <param name="snapshots">Open snapshot sequence numbers, ascending.</param>
    /// <param name="newFileNumber">Allocates an output file number and registers it as a pending output.</param>
    /// <param name="rateLimiter">Throttles output bytes; null for unlimited.</param>
    public CompactionJob(string dir, LsmOptions options, TableCache tableCache, Compaction compaction, ulong[] snapshots, Func<ulong> newFileNumber, CompactionRateLimiter? rateLimiter)
    {
        _dir = dir;
        _options = options;
        _tableCache = tableCache;
        _compaction = compaction;
        _snapshots = snapshots;
        _newFileNumber = newFileNumber;
        _rateLimiter = rateLimiter;
    }

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    public long EntriesDropped { get; private set; }

    /// <summary>Expired values rewritten as tombstones (not counting those dropped).</summary>
    public long ExpiredToTombstones { get; private set; }

    /// <summary>
    /// True when no level below the output level holds data in the input version (RocksDB:
    /// output level &gt;= num_non_empty_levels - 1): the outputs take <see cref="LsmOptions.BottommostCompression"/>.
    /// </summary>
    private bool IsBottommostOutput()
    {
        Manifest.Version v = _compaction.InputVersion;
        for (int level = _compaction.OutputLevel + 1; level < v.NumLevels; level++)
        {
            if (v.NumFiles(level) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the outputs and returns them; on failure deletes partial outputs and rethrows.</summary>
    public List<FileMetadata> Run()
    {
        var outputs = new List<FileMetadata>();
        TableBuilder? builder = null;
        string? path = null;
        ulong number = 0;
        long limitedUpTo = 0;
        byte[] currentUserKey = new byte[64];
        int currentUserKeyLength = -1;
        int previousStripe = -1;
        bool cutPending = false;
        long nowUnixMs = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        byte[] tombstoneKey = new byte[64];

        using IInternalIterator input = OpenInputs();
        try
        {
            for (input.SeekToFirst(); input.Valid; input.Next())
            {
                ReadOnlySpan<byte> ikey = input.Key;
                ReadOnlySpan<byte> userKey = InternalKey.UserKey(ikey);
                ulong trailer = InternalKey.Trailer(ikey);
                ulong sequence = trailer >> 8;
                var kind = (ValueKind)(byte)trailer;
                BytesRead += ikey.Length + input.Value.Length;

                bool newUserKey = currentUserKeyLength < 0 || !userKey.SequenceEqual(currentUserKey.AsSpan(0, currentUserKeyLength));
                if (newUserKey)
                {
                    if (currentUserKey.Length < userKey.Length)
                    {
                        currentUserKey = new byte[Math.Max(userKey.Length, currentUserKey.Length * 2)];
                    }

                    userKey.CopyTo(currentUserKey);
                    currentUserKeyLength = userKey.Length;
                    previousStripe = -1;

                    // Cut only between user keys so reads find each key in one file per level.
                    if (builder is not null && (cutPending || _compaction.ShouldStopBefore(ikey)))
                    {
                        outputs.Add(FinishOutput(ref builder, path!, number));
                        cutPending = false;
                    }
                }

                int stripe = StripeOf(sequence);
                bool expired = kind == ValueKind.PutWithExpiry && ExpiringValueCodec.ReadsAsDeleted(kind, input.Value, nowUnixMs);
                bool drop = stripe == previousStripe
                    || ((kind == ValueKind.Delete || expired) && stripe == 0 && _compaction.IsBaseLevelForKey(userKey));
                previousStripe = stripe;
                if (drop)
                {
                    EntriesDropped++;
                    continue;
                }

                if (builder is null)
                {
                    number = _newFileNumber();
                    path = FileNames.Table(_dir, number);
                    builder = new TableBuilder(path, TableFileWriter.BuilderOptions(_options, _compaction.OutputLevel, IsBottommostOutput()), _options.FileSystem);
                    limitedUpTo = 0;
                }

                if (expired)
                {
                    // Kept as a tombstone: it still has to hide older versions below it.
                    if (tombstoneKey.Length < ikey.Length)
                    {
                        tombstoneKey = new byte[Math.Max(ikey.Length, tombstoneKey.Length * 2)];
                    }

                    int length = InternalKey.Encode(tombstoneKey, userKey, sequence, ValueKind.Delete);
                    builder.Add(tombstoneKey.AsSpan(0, length), default);
                    ExpiredToTombstones++;
                }
                else
                {
                    builder.Add(ikey, input.Value);
                }
                long size = builder.FileSize;
                if (_rateLimiter is not null && size - limitedUpTo >= 256 * 1024)
                {
                    _rateLimiter.Request(size - limitedUpTo);
                    limitedUpTo = size;
                }

                if (size >= _compaction.MaxOutputFileSize)
                {
                    cutPending = true;
                }
            }

            if (builder is not null)
            {
                outputs.Add(FinishOutput(ref builder, path!, number));
            }

            return outputs;
        }
        catch
        {
            builder?.Abandon();
            foreach (FileMetadata output in outputs)
            {
                _options.FileSystem.Delete(FileNames.Table(_dir, output.Number));
            }

            throw;
        }
    }

    private FileMetadata FinishOutput(ref TableBuilder? builder, string path, ulong number)
    {
        FileMetadata meta = TableFileWriter.Finish(path, number, builder!);
        builder = null;
        BytesWritten += meta.Size;
        return meta;
    }

    /// <summary>Index of the smallest snapshot &gt;= sequence; <c>_snapshots.Length</c> for "latest".</summary>
    private int StripeOf(ulong sequence)
    {
        int lo = 0, hi = _snapshots.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_snapshots[mid] < sequence)
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

    private IInternalIterator OpenInputs()
    {
        var children = new List<IInternalIterator>();
        try
        {
            if (_compaction.Level == 0)
            {
                foreach (FileMetadata file in _compaction.Inputs0)
                {
                    children.Add(_tableCache.NewIterator(file, fillCache: false));
                }
            }
            else if (_compaction.Inputs0.Count > 0)
            {
                children.Add(new LevelIterator(_tableCache, _compaction.Inputs0, fillCache: false));
            }

            if (_compaction.Inputs1.Count > 0)
            {
                children.Add(new LevelIterator(_tableCache, _compaction.Inputs1, fillCache: false));
            }

            return new MergingIterator([.. children]);
        }
        catch
        {
            foreach (IInternalIterator child in children)
            {
                child.Dispose();
            }

            throw;
        }
    }
}
