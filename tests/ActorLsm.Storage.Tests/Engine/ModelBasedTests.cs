using System.Collections.Concurrent;
using System.Text;
using ActorLsm.Storage.FileSystem;
using Xunit.Abstractions;

namespace ActorLsm.Storage.Tests.Engine;

/// <summary>
/// Metamorphic test of the whole engine: random Put, Delete, Get, Scan, Write, Flush,
/// CompactRange, snapshot, reopen and crash steps against an in-memory sorted model, while a
/// concurrent reader checks that every value it sees was written to its key. The store runs on
/// <see cref="FaultInjectionFileSystem"/> in Batch sync mode: a crash step throws away every
/// byte and directory entry that was not fsynced, and the model (every acknowledged write) must
/// still hold. Every failure message carries the seed and step so the run can be replayed.
/// </summary>
public sealed class ModelBasedTests
{
    private readonly ITestOutputHelper _output;

    public ModelBasedTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2026)]
    [InlineData(90210)]
    public void RandomOperations_AgainstSortedModel_Agree(int seed)
    {
        _output.WriteLine($"seed {seed}");
        using var dir = new TempDir();
        var rng = new Random(seed);
        var model = new SortedDictionary<byte[], byte[]>(ByteComparer.Instance);
        var snapshots = new List<(LsmSnapshot Snapshot, SortedDictionary<byte[], byte[]> Model)>();
        var fs = new FaultInjectionFileSystem();
        LsmOptions options = SmallOptions.Create(WalSyncMode.Batch);
        options.FileSystem = fs;
        LsmStore store = LsmStore.Open(dir.Path, options);
        const int steps = 3000;
        int step = 0;
        int crashes = 0;
        string Where() => $"seed {seed}, step {step}";

        // The concurrent reader: any value it reads must have been written to that key.
        var written = new ConcurrentDictionary<string, bool>();
        string Entry(byte[] key, byte[] value) => Convert.ToHexString(key) + "=" + Convert.ToHexString(value);
        var storeLock = new ReaderWriterLockSlim();
        long reads = 0;
        string? readerFailure = null;
        var stop = new CancellationTokenSource();
        using var readPermits = new SemaphoreSlim(0); // one read per writer step: concurrent, but not a busy loop
        var reader = new Thread(() =>
        {
            var readRng = new Random(seed + 1);
            while (readerFailure is null)
            {
                try
                {
                    readPermits.Wait(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                byte[] key = RandomKey(readRng);
                storeLock.EnterReadLock();
                try
                {
                    byte[]? value = store.Get(key);
                    if (value is not null && !written.ContainsKey(Entry(key, value)))
                    {
                        readerFailure = $"seed {seed}: concurrent Get({Show(key)}) = {Show(value)}, never written to that key";
                    }
                }
                catch (Exception e)
                {
                    readerFailure = $"seed {seed}: concurrent Get({Show(key)}) threw {e}";
                }
                finally
                {
                    storeLock.ExitReadLock();
                }

                Interlocked.Increment(ref reads);
            }
        })
        { IsBackground = true, Name = "model reader" };
        reader.Start();
        try
        {
            for (step = 0; step < steps; step++)
            {
                readPermits.Release();
                int op = rng.Next(100);
                if (op < 35)
                {
                    byte[] key = RandomKey(rng);
                    byte[] value = RandomValue(rng);
                    written[Entry(key, value)] = true;
                    store.Put(key, value);
                    model[key] = value;
                }
                else if (op < 45)
                {
                    byte[] key = RandomKey(rng);
                    store.Delete(key);
                    model.Remove(key);
                }
                else if (op < 65)
                {
                    byte[] key = RandomKey(rng);
                    byte[]? actual = store.Get(key);
                    byte[]? expected = model.GetValueOrDefault(key);
                    Assert.True(Same(expected, actual), $"{Where()}: Get({Show(key)}) = {Show(actual)}, model {Show(expected)}");
                }
                else if (op < 72)
                {
                    CheckScan(store, model, rng, null, Where());
                }
                else if (op < 80)
                {
                    var batch = new WriteBatch();
                    var pending = new List<(byte[] Key, byte[]? Value)>();
                    int n = rng.Next(1, 12);
                    for (int i = 0; i < n; i++)
                    {
                        byte[] key = RandomKey(rng);
                        if (rng.Next(4) == 0)
                        {
                            batch.Delete(key);
                            pending.Add((key, null));
                        }
                        else
                        {
                            byte[] value = RandomValue(rng);
                            written[Entry(key, value)] = true;
                            batch.Put(key, value);
                            pending.Add((key, value));
                        }
                    }

                    store.Write(batch);
                    foreach ((byte[] key, byte[]? value) in pending)
                    {
                        if (value is null)
                        {
                            model.Remove(key);
                        }
                        else
                        {
                            model[key] = value;
                        }
                    }
                }
                else if (op < 83)
                {
                    store.Flush();
                }
                else if (op < 85)
                {
                    byte[]? start = rng.Next(2) == 0 ? null : RandomKey(rng);
                    byte[]? end = rng.Next(2) == 0 ? null : RandomKey(rng);
                    store.CompactRange(start, end);
                }
                else if (op < 89)
                {
                    if (snapshots.Count < 4)
                    {
                        snapshots.Add((store.GetSnapshot(), new SortedDictionary<byte[], byte[]>(model, ByteComparer.Instance)));
                    }
                }
                else if (op < 95)
                {
                    if (snapshots.Count > 0)
                    {
                        int i = rng.Next(snapshots.Count);
                        (LsmSnapshot snap, SortedDictionary<byte[], byte[]> old) = snapshots[i];
                        byte[] key = RandomKey(rng);
                        byte[]? actual = store.Get(key, snap);
                        Assert.True(Same(old.GetValueOrDefault(key), actual), $"{Where()}: snapshot@{snap.Sequence} Get({Show(key)}) = {Show(actual)}, model {Show(old.GetValueOrDefault(key))}");
                        CheckScan(store, old, rng, snap, Where() + " (snapshot)");
                        if (rng.Next(3) == 0)
                        {
                            snap.Dispose();
                            snapshots.RemoveAt(i);
                        }
                    }
                }
                else
                {
                    // Reopen, or crash and reopen: snapshots do not survive a close.
                    foreach ((LsmSnapshot snap, _) in snapshots)
                    {
                        snap.Dispose();
                    }

                    snapshots.Clear();
                    bool crash = rng.Next(2) == 0;
                    storeLock.EnterWriteLock();
                    try
                    {
                        if (crash)
                        {
                            // Machine crash: whatever was not fsynced is gone, even mid-flush or mid-compaction.
                            fs.CrashNow();
                            store.Dispose();
                            fs.SimulateCrash();
                            crashes++;
                        }
                        else
                        {
                            store.Dispose();
                        }

                        store = LsmStore.Open(dir.Path, options);
                    }
                    finally
                    {
                        storeLock.ExitWriteLock();
                    }
                }
            }

            CheckScan(store, model, rng, null, Where() + " (final)");
            SpinWait.SpinUntil(() => Interlocked.Read(ref reads) > 0 || readerFailure is not null);
            stop.Cancel();
            reader.Join();
            Assert.True(readerFailure is null, readerFailure);
            LsmStats stats = store.GetStats();
            _output.WriteLine($"seed {seed}: {model.Count} keys, {crashes} crashes, {Interlocked.Read(ref reads)} concurrent reads, flushes {stats.Flushes}, compactions {stats.Compactions}, levels {string.Join(' ', stats.Levels.Select(l => l.Files))}");
        }
        finally
        {
            stop.Cancel();
            reader.Join();
            stop.Dispose();
            foreach ((LsmSnapshot snap, _) in snapshots)
            {
                snap.Dispose();
            }

            store.Dispose();
        }
    }

    private static void CheckScan(LsmStore store, SortedDictionary<byte[], byte[]> model, Random rng, LsmSnapshot? snapshot, string where)
    {
        byte[]? start = rng.Next(3) == 0 ? null : RandomKey(rng);
        byte[]? end = rng.Next(3) == 0 ? null : RandomKey(rng);
        bool reverse = rng.Next(2) == 0;
        IEnumerable<KeyValuePair<byte[], byte[]>> expected = model.Where(kv =>
            (start is null || ByteComparer.Instance.Compare(kv.Key, start) >= 0) && (end is null || ByteComparer.Instance.Compare(kv.Key, end) < 0));
        if (reverse)
        {
            expected = expected.Reverse();
        }

        List<KeyValuePair<byte[], byte[]>> want = [.. expected];
        List<KeyValuePair<byte[], byte[]>> got = [.. store.Scan(start, end, reverse, snapshot)];
        string range = $"[{Show(start)}, {Show(end)}) reverse={reverse}";
        Assert.True(want.Count == got.Count, $"{where}: scan {range} returned {got.Count} entries, model {want.Count}");
        for (int i = 0; i < want.Count; i++)
        {
            Assert.True(
                want[i].Key.AsSpan().SequenceEqual(got[i].Key) && want[i].Value.AsSpan().SequenceEqual(got[i].Value),
                $"{where}: scan {range} entry {i}: got {Show(got[i].Key)}={Show(got[i].Value)}, model {Show(want[i].Key)}={Show(want[i].Value)}");
        }
    }

    private static byte[] RandomKey(Random rng) => Encoding.ASCII.GetBytes($"key{rng.Next(400):D4}");

    private static byte[] RandomValue(Random rng)
    {
        var value = new byte[rng.Next(0, 120)];
        rng.NextBytes(value);
        return value;
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static string Show(byte[]? bytes) =>
        bytes is null ? "null" : bytes.Length <= 12 && bytes.All(b => b is >= 32 and < 127) ? $"'{Encoding.ASCII.GetString(bytes)}'" : $"<{bytes.Length} bytes {Convert.ToHexString(bytes.AsSpan(0, Math.Min(6, bytes.Length)))}>";
}

/// <summary>Bytewise order, the store's key order.</summary>
internal sealed class ByteComparer : IComparer<byte[]>
{
    public static readonly ByteComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
