using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tables;
using static ActorLsm.Storage.Tests.Faults.FaultTestStore;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>What one flipped bit did to a reopen and a full read.</summary>
internal enum FlipOutcome
{
    /// <summary>Open or a read threw <see cref="CorruptionException"/>.</summary>
    Detected,

    /// <summary>Every key read back right (the bit did not matter, or was repaired).</summary>
    Clean,

    /// <summary>Only the last WAL record's write is missing, and the open reported a dropped torn tail.</summary>
    ReportedTailDrop,

    /// <summary>A read returned a value that was never the key's.</summary>
    WrongValue,

    /// <summary>A key is missing and nothing said so.</summary>
    SilentLoss,

    /// <summary>Some exception other than <see cref="CorruptionException"/>.</summary>
    OtherError,
}

/// <summary>
/// A small closed store (a few hundred keys in SSTables over two levels, a fresh manifest, a
/// few writes in the WAL) and the machinery to copy it, flip one bit, reopen and read it all.
/// Each flip works in its own temp directory, so flips may run in parallel.
/// </summary>
internal sealed class BitFlipHarness : IDisposable
{
    private const int TableKeys = 240;
    private const int ExtraKeys = 4;
    private const int WalKeys = 3;
    private readonly TempDir _base = new();
    private readonly BlockCompression _compression;
    private readonly Dictionary<int, byte[]> _model = [];

    public BitFlipHarness(BlockCompression compression)
    {
        _compression = compression;
        var fs = new FaultInjectionFileSystem();
        LsmStore store = OpenManual(_base.Path, Options(fs, WalSyncMode.Batch, compression));
        try
        {
            for (int i = 0; i < TableKeys; i++)
            {
                Put(store, i, Value(i, 20 + (i % 7)));
                if (i % 80 == 79)
                {
                    store.FlushIfOlderThan(TimeSpan.Zero);
                    Drive(store);
                }
            }

            store.FlushIfOlderThan(TimeSpan.Zero);
            Drive(store);

            // Reopen: the manifest becomes one snapshot edit plus the recovery edit (small);
            // one more flush gives it a third edit, so it has a first, a middle and a last record.
            store.Dispose();
            store = OpenManual(_base.Path, Options(fs, WalSyncMode.Batch, compression));
            for (int i = 0; i < ExtraKeys; i++)
            {
                Put(store, TableKeys + i, Value(TableKeys + i, 10));
            }

            store.FlushIfOlderThan(TimeSpan.Zero);
            Drive(store);
            for (int i = ExtraKeys; i < ExtraKeys + WalKeys; i++)
            {
                LastWalKey = TableKeys + i;
                Put(store, LastWalKey, Value(LastWalKey, 12));
            }
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>The key written by the WAL's last record: the only write a torn tail may take.</summary>
    public int LastWalKey { get; private set; }

    public string BasePath => _base.Path;

    public void Dispose() => _base.Dispose();

    /// <summary>Names of the base store's files of <paramref name="kind"/>.</summary>
    public List<string> Files(FileKind kind) =>
        [.. Directory.EnumerateFiles(_base.Path)
            .Select(path => Path.GetFileName(path))
            .Where(name => FileNames.TryParse(name, out FileKind k, out _) && k == kind)
            .Order()];

    /// <summary>Byte ranges of an SSTable's parts: data, filter, properties, index, footer.</summary>
    public List<(string Part, long Start, long End)> TableParts(string name)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(_base.Path, name));
        long footerAt = bytes.Length - TableFormat.FooterSize;
        var footer = Footer.Decode(bytes.AsSpan((int)footerAt), name, footerAt);
        var parts = new List<(string, long, long)>();
        long dataEnd = footerAt;
        foreach ((string part, BlockHandle handle) in new[] { ("filter", footer.Filter), ("properties", footer.Properties), ("index", footer.Index) })
        {
            if (handle.Size > 0)
            {
                parts.Add((part, handle.Offset, handle.End));
                dataEnd = Math.Min(dataEnd, handle.Offset);
            }
        }

        parts.Add(("data", 0, dataEnd));
        parts.Add(("footer", footerAt, bytes.Length));
        return parts;
    }

    /// <summary>Copies the base store, flips bit <paramref name="bit"/> of <paramref name="name"/>, reopens and reads every key.</summary>
    public (FlipOutcome Outcome, string Detail) FlipAndCheck(string name, long bit)
    {
        using var dir = new TempDir();
        foreach (string file in Directory.EnumerateFiles(_base.Path))
        {
            if (Path.GetFileName(file) != "LOCK")
            {
                File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
            }
        }

        string target = Path.Combine(dir.Path, name);
        byte[] bytes = File.ReadAllBytes(target);
        bytes[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        File.WriteAllBytes(target, bytes);

        LsmStore store;
        try
        {
            LsmOptions options = Options(new FaultInjectionFileSystem(), WalSyncMode.Batch, _compression);
            options.BlockCacheSize = 1 << 20; // each block is read (and checked) once per flip, not once per key
            store = OpenManual(dir.Path, options);
        }
        catch (CorruptionException e)
        {
            return (FlipOutcome.Detected, e.Message);
        }
        catch (Exception e)
        {
            return (FlipOutcome.OtherError, $"open: {e.GetType().Name}: {e.Message}");
        }

        using (store)
        {
            var missing = new List<int>();
            try
            {
                foreach ((int key, byte[] expected) in _model)
                {
                    byte[]? actual = store.Get(Key(key));
                    if (actual is null)
                    {
                        missing.Add(key);
                    }
                    else if (!actual.AsSpan().SequenceEqual(expected))
                    {
                        return (FlipOutcome.WrongValue, $"key {key}: {Show(actual)}, expected {Show(expected)}");
                    }
                }

                int scanned = 0;
                foreach (KeyValuePair<byte[], byte[]> kv in store.Scan(null, null))
                {
                    scanned++;
                    int key = int.Parse(System.Text.Encoding.ASCII.GetString(kv.Key.AsSpan(1)), System.Globalization.CultureInfo.InvariantCulture);
                    if (!_model.TryGetValue(key, out byte[]? expected) || !kv.Value.AsSpan().SequenceEqual(expected))
                    {
                        return (FlipOutcome.WrongValue, $"scan: key {key} = {Show(kv.Value)}");
                    }
                }

                if (scanned != _model.Count - missing.Count)
                {
                    return (FlipOutcome.WrongValue, $"scan returned {scanned} entries, Get found {_model.Count - missing.Count}");
                }
            }
            catch (CorruptionException e)
            {
                return (FlipOutcome.Detected, e.Message);
            }
            catch (Exception e)
            {
                return (FlipOutcome.OtherError, $"read: {e.GetType().Name}: {e.Message}");
            }

            if (missing.Count == 0)
            {
                return (FlipOutcome.Clean, "");
            }

            RecoveryStats recovery = store.Recovery;
            if (recovery.DroppedTailRecords > 0 && missing.All(k => k == LastWalKey))
            {
                return (FlipOutcome.ReportedTailDrop, $"{recovery.DroppedTailBytes} bytes dropped");
            }

            return (FlipOutcome.SilentLoss, $"{missing.Count} keys missing (first {missing[0]}), recovery {recovery}");
        }
    }

    /// <summary>Flips each bit in <paramref name="bits"/> of <paramref name="name"/> (two at a time) and tallies the outcomes.</summary>
    public FlipTally FlipAll(string name, IReadOnlyList<long> bits, string kind)
    {
        var tally = new FlipTally(kind);
        Parallel.For(0, bits.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            (FlipOutcome outcome, string detail) = FlipAndCheck(name, bits[i]);
            tally.Add(outcome, $"{name} bit {bits[i]} (byte {bits[i] / 8}): {detail}");
        });
        return tally;
    }

    private void Put(LsmStore store, int key, byte[] value)
    {
        store.Put(Key(key), value);
        _model[key] = value;
    }
}

/// <summary>Counts of flip outcomes for one kind of file; thread-safe.</summary>
internal sealed class FlipTally
{
    private readonly object _lock = new();
    private readonly Dictionary<FlipOutcome, int> _counts = [];
    private readonly List<string> _problems = [];

    public FlipTally(string kind) => Kind = kind;

    public string Kind { get; }

    public int Flips { get; private set; }

    public int this[FlipOutcome outcome]
    {
        get
        {
            lock (_lock)
            {
                return _counts.GetValueOrDefault(outcome);
            }
        }
    }

    public IReadOnlyList<string> Problems => _problems;

    public void Add(FlipOutcome outcome, string detail)
    {
        lock (_lock)
        {
            Flips++;
            _counts[outcome] = _counts.GetValueOrDefault(outcome) + 1;
            if (outcome is FlipOutcome.WrongValue or FlipOutcome.SilentLoss or FlipOutcome.OtherError)
            {
                _problems.Add($"{outcome}: {detail}");
            }
        }
    }

    public void Merge(FlipTally other)
    {
        lock (_lock)
        {
            Flips += other.Flips;
            foreach (FlipOutcome outcome in Enum.GetValues<FlipOutcome>())
            {
                _counts[outcome] = _counts.GetValueOrDefault(outcome) + other[outcome];
            }

            _problems.AddRange(other.Problems);
        }
    }

    public override string ToString() =>
        $"{Kind}: {Flips} bits flipped; detected {this[FlipOutcome.Detected]}, clean {this[FlipOutcome.Clean]}, reported tail drops {this[FlipOutcome.ReportedTailDrop]}, " +
        $"wrong values {this[FlipOutcome.WrongValue]}, silent losses {this[FlipOutcome.SilentLoss]}, other errors {this[FlipOutcome.OtherError]}";
}
