using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Memtables;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ActorLsm.Benchmarks.Memtables;

/// <summary>
/// Arena skiplist memtable (seed 000) against a plain B+tree of byte[] internal keys (the structure
/// ZoneTree reports as faster than its skiplist): insert, point lookup and full ordered scan of
/// 100k random 16-byte keys with 100-byte values. Times are per entry (OperationsPerInvoke).
/// Both sides copy the value, as a memtable must (the caller's write batch buffer is reused).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MemTableBenchmarks
{
    private const int EntryCount = 100_000;
    private const int KeySize = 16;
    private const int ValueSize = 100;

    private byte[][] _keys = [];
    private byte[][] _values = [];
    private int[] _lookupOrder = [];
    private int _memTableCapacity;
    private MemTable _filledMemTable = null!;
    private BPlusTree _filledTree = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _keys = new byte[EntryCount][];
        _values = new byte[EntryCount][];
        for (int i = 0; i < EntryCount; i++)
        {
            _keys[i] = new byte[KeySize];
            _values[i] = new byte[ValueSize];
            random.NextBytes(_keys[i]);
            random.NextBytes(_values[i]);
        }

        _lookupOrder = Enumerable.Range(0, EntryCount).OrderBy(_ => random.Next()).ToArray();
        _memTableCapacity = EntryCount * MemTable.EstimateEntrySize(KeySize, ValueSize);
        _filledMemTable = FillMemTable();
        _filledTree = FillTree();

        // Both structures must hold the same entries, or the comparison means nothing.
        long expected = (long)EntryCount * ValueSize;
        if (Get_SkipList() != expected || Get_BPlusTree() != expected || Scan_SkipList() != Scan_BPlusTree())
        {
            throw new InvalidOperationException("skiplist and B+tree disagree");
        }
    }

    [Benchmark(OperationsPerInvoke = EntryCount, Baseline = true)]
    [BenchmarkCategory("Insert")]
    public int Insert_SkipList() => FillMemTable().Count;

    [Benchmark(OperationsPerInvoke = EntryCount)]
    [BenchmarkCategory("Insert")]
    public int Insert_BPlusTree() => FillTree().Count;

    [Benchmark(OperationsPerInvoke = EntryCount, Baseline = true)]
    [BenchmarkCategory("Get")]
    public long Get_SkipList()
    {
        long found = 0;
        foreach (int i in _lookupOrder)
        {
            if (_filledMemTable.Get(_keys[i], InternalKey.MaxSequence, out ReadOnlySpan<byte> value) == MemTableGetResult.Found)
            {
                found += value.Length;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = EntryCount)]
    [BenchmarkCategory("Get")]
    public long Get_BPlusTree()
    {
        long found = 0;
        foreach (int i in _lookupOrder)
        {
            if (_filledTree.TryGet(_keys[i], InternalKey.MaxSequence, out byte[]? value))
            {
                found += value!.Length;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = EntryCount, Baseline = true)]
    [BenchmarkCategory("Scan")]
    public long Scan_SkipList()
    {
        long total = 0;
        using IInternalIterator it = _filledMemTable.NewIterator();
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            total += it.Key.Length + it.Value.Length;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = EntryCount)]
    [BenchmarkCategory("Scan")]
    public long Scan_BPlusTree() => _filledTree.ScanAll();

    private MemTable FillMemTable()
    {
        var table = new MemTable(_memTableCapacity);
        for (int i = 0; i < EntryCount; i++)
        {
            if (!table.TryAdd((ulong)i + 1, ValueKind.Put, _keys[i], _values[i]))
            {
                throw new InvalidOperationException("memtable sized too small");
            }
        }

        return table;
    }

    private BPlusTree FillTree()
    {
        var tree = new BPlusTree();
        for (int i = 0; i < EntryCount; i++)
        {
            tree.Insert(InternalKey.Create(_keys[i], (ulong)i + 1, ValueKind.Put), (byte[])_values[i].Clone());
        }

        return tree;
    }
}
