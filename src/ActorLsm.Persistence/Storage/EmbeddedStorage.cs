using ActorLsm.Storage;

namespace ActorLsm.Persistence.Storage;

/// <summary>
/// <see cref="IPersistenceStorage"/> over an <see cref="LsmStore"/> opened in this process
/// (<c>mode = embedded</c>). The store's blocking calls (WAL fsync, block reads) run on a dedicated pool of
/// <c>embedded.io-threads</c> threads, so concurrent writes from many actors reach the WAL's group commit
/// together and no dispatcher thread blocks. Batches are always atomic (one local store).
/// </summary>
internal sealed class EmbeddedStorage : IPersistenceStorage, IDisposable
{
    private readonly LsmStore _store;
    private readonly IoThreads _io;

    /// <summary>Opens (creating if missing) the store in <paramref name="dataDir"/>. Throws StoreLockedException when another process holds it.</summary>
    public EmbeddedStorage(string dataDir, int ioThreads, WalSyncMode walSyncMode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(ioThreads, 1);
        DataDir = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(DataDir);
        _store = LsmStore.Open(DataDir, new LsmOptions { WalSyncMode = walSyncMode });
        _io = new IoThreads(ioThreads, "actorlsm-persistence-io");
    }

    /// <summary>The store's full path.</summary>
    public string DataDir { get; }

    /// <summary>The open store (for tests).</summary>
    public LsmStore Store => _store;

    public string Description => $"embedded {DataDir}";

    public bool AtomicAcrossSlots => true;

    public Task WriteAsync(IReadOnlyList<WriteOp> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return _io.Run(() =>
        {
            var wb = new WriteBatch(batch.Count);
            foreach (WriteOp op in batch)
            {
                if (op.Value is null)
                {
                    wb.Delete(op.Key);
                }
                else
                {
                    wb.Put(op.Key, op.Value);
                }
            }

            _store.Write(wb);
            return true;
        });
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default) =>
        _io.Run(() => _store.Get(key));

    public Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit, bool reverse = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return _io.Run<IReadOnlyList<KeyValuePair<byte[], byte[]>>>(() =>
        {
            var page = new List<KeyValuePair<byte[], byte[]>>(Math.Min(limit, 1024));
            foreach (KeyValuePair<byte[], byte[]> kv in _store.Scan(start, end, reverse))
            {
                page.Add(kv);
                if (page.Count == limit)
                {
                    break;
                }
            }

            return page;
        });
    }

    public void Dispose()
    {
        _io.Dispose();
        _store.Dispose();
    }
}
