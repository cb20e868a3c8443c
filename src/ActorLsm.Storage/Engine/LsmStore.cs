using System.Diagnostics;
using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Compactions;
using ActorLsm.Storage.Engine;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Memtables;
using ActorLsm.Storage.Wal;

using Version = ActorLsm.Storage.Manifest.Version;

namespace ActorLsm.Storage;

/// <summary>
/// A single-node LSM key-value store: a WAL with group commit, arena skiplist memtables,
/// block-based SSTables with bloom filters, a manifest of version edits, leveled compaction, a
/// block cache, snapshots and range scans (seed 002's public API: put, delete, get, scan;
/// LevelDB's and RocksDB's designs). Keys are ordered bytewise. Thread-safe: any number of
/// threads may read and write concurrently; writes are serialized into commit groups.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> for keys over <see cref="LsmOptions.MaxKeySize"/> or
/// values over <see cref="LsmOptions.MaxValueSize"/> (nothing is written);
/// <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>;
/// <see cref="StoreLockedException"/> when another process holds the directory;
/// <see cref="CorruptionException"/> when stored data fails a check;
/// <see cref="BackgroundErrorException"/> for writes after a flush or compaction failed. No
/// error loses an acknowledged write: what <see cref="Write"/> returned from is in the WAL.
/// </remarks>
public sealed partial class LsmStore : IDisposable, IBackgroundWork
{
    private readonly string _dir;
    private readonly LsmOptions _options;
    private readonly FileStream _lockFile;
    private readonly BlockCache? _blockCache;
    private readonly TableCache _tableCache;
    private readonly VersionSet _versions;
    private readonly CompactionPicker _picker;
    private readonly CompactionRateLimiter? _rateLimiter;
    private readonly object _mutex = new();
    private readonly object _walLock = new();
    private readonly Queue<Writer> _writers = new();
    private readonly List<Immutable> _immutables = []; // oldest first
    private readonly SortedDictionary<ulong, int> _snapshots = [];
    private readonly HashSet<ulong> _pendingOutputs = [];
    private readonly Timer? _walSyncTimer;
    private readonly Counters _counters = new();
    private IBackgroundWorkHost _host = null!;
    private MemTable _mem;
    private ulong _memLogNumber;
    private ulong _memFirstSequence; // sequence of the first write the segment _memLogNumber can hold
    private LogWriter _wal = null!;
    private SuperVersion _super = null!;
    private ulong _lastSequence;
    private Exception? _backgroundError;
    private bool _flushRunning;
    private bool _compactionRunning;
    private bool _disposed;

    private LsmStore(string dir, LsmOptions options, FileStream lockFile)
    {
        _dir = dir;
        _options = options;
        _lockFile = lockFile;
        _blockCache = options.BlockCacheSize > 0 ? new BlockCache(options.BlockCacheSize) : null;
        _tableCache = new TableCache(dir, options.MaxOpenFiles, _blockCache, options.VerifyChecksums);
        _versions = new VersionSet(dir, options);
        _picker = new CompactionPicker(options);
        _rateLimiter = options.CompactionRateLimit > 0 ? new CompactionRateLimiter(options.CompactionRateLimit) : null;
        _mem = new MemTable(options.MemTableSize);
        if (options.WalSyncMode == WalSyncMode.Interval)
        {
            _walSyncTimer = new Timer(_ => SyncWalQuietly(), null, options.WalSyncInterval, options.WalSyncInterval);
        }
    }

    /// <summary>
    /// Raised after each flush is durable (seed 000's flush callbacks), on the thread that ran
    /// the flush. Handlers must be quick and must not throw.
    /// </summary>
    public event Action<FlushCompletedInfo>? FlushCompleted;

    /// <summary>The directory the store lives in.</summary>
    public string Path => _dir;

    /// <summary>Sequence number of the newest acknowledged write.</summary>
    public ulong LastSequence => Volatile.Read(ref _lastSequence);

    /// <inheritdoc/>
    public TimeSpan FlushInterval => _options.FlushInterval;

    /// <summary>
    /// Opens (or creates) the store in <paramref name="path"/>: takes the LOCK file, replays the
    /// manifest, recovers writes from the WAL (a torn tail record from a crash mid-append is
    /// dropped; a checksum failure before the tail throws <see cref="CorruptionException"/> naming
    /// the file and offset), and starts background work on <paramref name="host"/> (the default
    /// host uses background threads).
    /// </summary>
    /// <exception cref="StoreLockedException">Another process or open store holds the directory.</exception>
    /// <exception cref="CorruptionException">The manifest or a WAL segment fails its checks.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static LsmStore Open(string path, LsmOptions? options = null, Func<IBackgroundWork, IBackgroundWorkHost>? host = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = (options ?? new LsmOptions()).Clone();
        options.Validate();
        string dir = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(dir))
        {
            if (!options.CreateIfMissing)
            {
                throw new DirectoryNotFoundException($"store directory {dir} does not exist and CreateIfMissing is false");
            }

            Directory.CreateDirectory(dir);
        }

        FileStream lockFile = AcquireLock(dir);
        LsmStore? store = null;
        try
        {
            store = new LsmStore(dir, options, lockFile);
            store.Recover();
            store._host = (host ?? (w => new TaskBackgroundWorkHost(w)))(store);
            store._host.RequestCompaction();
            return store;
        }
        catch
        {
            if (store is not null)
            {
                store.CloseFiles();
            }
            else
            {
                lockFile.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Closes the store: waits for the running background step, syncs and closes the WAL and
    /// releases the LOCK file. Memtable contents stay in the WAL and are recovered at the next
    /// open. Writes racing with Dispose either complete or throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_mutex)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_writers.Count > 0)
            {
                Monitor.Wait(_mutex);
            }

            Monitor.PulseAll(_mutex);
        }

        _host?.Dispose();
        CloseFiles();
    }

    private static FileStream AcquireLock(string dir)
    {
        string path = FileNames.Lock(dir);
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix) held until disposed.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreLockedException($"store directory {dir} is locked by another process or open store ({path}): {e.Message}", e);
        }
    }

    private void CloseFiles()
    {
        _walSyncTimer?.Dispose();
        lock (_walLock)
        {
            if (_wal is not null)
            {
                try
                {
                    _wal.Sync();
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    // Closing anyway; acknowledged writes were already flushed to the OS (a
                    // writer whose earlier write failed refuses with InvalidOperationException).
                }

                try
                {
                    _wal.Dispose();
                }
                catch (IOException)
                {
                    // The file is closed regardless; the LOCK below must still be released.
                }
            }
        }

        _versions.Dispose();
        _tableCache.Dispose();
        _blockCache?.Dispose(); // frees the cached blocks' native memory now, not at a finalizer
        _lockFile.Dispose();

        // Drop the store's memtable references; iterators still open keep theirs (and the arenas).
        lock (_mutex)
        {
            _super?.Unref();
            _mem.Unref();
            foreach (Immutable imm in _immutables)
            {
                imm.Mem.Unref();
            }

            _immutables.Clear();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>REQUIRES: _mutex held. Publishes a new super version built from the current parts.</summary>
    private void InstallSuperVersion()
    {
        var immutables = new MemTable[_immutables.Count];
        for (int i = 0; i < immutables.Length; i++)
        {
            immutables[i] = _immutables[_immutables.Count - 1 - i].Mem;
        }

        SuperVersion old = _super;
        Volatile.Write(ref _super, new SuperVersion(_mem, immutables, _versions.Current));
        old?.Unref();
    }

    /// <summary>Takes a reference on the current super version without the mutex.</summary>
    private SuperVersion AcquireSuperVersion()
    {
        while (true)
        {
            SuperVersion sv = Volatile.Read(ref _super);
            if (sv.TryRef())
            {
                return sv;
            }

            // Retired: either a newer one is installed (retry) or the store was closed.
            ThrowIfDisposed();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_mutex), "REQUIRES: _mutex held");
        for (int i = 1; i < _immutables.Count; i++)
        {
            Debug.Assert(_immutables[i - 1].LogNumber < _immutables[i].LogNumber, "immutable memtables ordered by WAL segment");
            Debug.Assert(_immutables[i - 1].FirstSequence <= _immutables[i].FirstSequence, "WAL segments start at nondecreasing sequences");
        }

        Debug.Assert(_immutables.Count == 0 || _immutables[^1].LogNumber < _memLogNumber, "active memtable has the newest WAL segment");
        Debug.Assert(_immutables.Count == 0 || _immutables[^1].FirstSequence <= _memFirstSequence, "the active segment starts at the newest sequence");
        Debug.Assert(_versions.LogNumber <= (_immutables.Count > 0 ? _immutables[0].LogNumber : _memLogNumber), "no unflushed memtable's WAL is below the log number");
    }

    /// <summary>
    /// A memtable waiting for flush, the WAL segment that holds its writes, and the sequence
    /// number the segment's first write has (or would have, when it is empty).
    /// </summary>
    private sealed record Immutable(MemTable Mem, ulong LogNumber, ulong FirstSequence);

    /// <summary>Counters updated with Interlocked; read by <see cref="GetStats"/>.</summary>
    private sealed class Counters
    {
        public long UserBytes;
        public long WalBytes;
        public long FlushBytes;
        public long CompactionBytesRead;
        public long CompactionBytesWritten;
        public long Flushes;
        public long Compactions;
        public long WriteGroups;
        public long WalSyncs;
        public long StallTicks;
        public long Slowdowns;
        public long Stops;
    }
}
