using ActorLsm.Storage.FileSystem;
using Xunit.Abstractions;
using static ActorLsm.Storage.Tests.Faults.FaultTestStore;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>
/// Crash at every file operation of a deterministic workload (WAL appends and rolls, flushes,
/// compactions, a reopen that rolls the manifest and installs CURRENT, obsolete-file deletion)
/// under <see cref="FaultInjectionFileSystem"/>, which then throws away everything that was not
/// fsynced. After each crash the store must open and hold every acknowledged write, and nothing
/// else but the one write in flight. Also checks that the layer can tell a missing fsync.
/// </summary>
public sealed class CrashPointTests
{
    private const int Writes = 120;
    private const int Keys = 50;
    private readonly ITestOutputHelper _output;

    public CrashPointTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void CrashAtEveryOperation_Reopen_AcknowledgedWritesPresentAndNothingElse()
    {
        long total;
        using (var dry = new TempDir())
        {
            // A dry run counts the operations (the crash points) by kind and file type.
            var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var fs = new FaultInjectionFileSystem
            {
                FaultInjector = (op, path) =>
                {
                    if (op != FaultOperation.Write)
                    {
                        string name = Path.GetFileName(path);
                        string type = op == FaultOperation.SyncDirectory ? "dir" : name.StartsWith("MANIFEST", StringComparison.Ordinal) ? "MANIFEST" : name == "CURRENT" ? "CURRENT" : Path.GetExtension(name);
                        string kind = $"{op} {type}";
                        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    }

                    return null;
                },
            };
            Outcome clean = Run(dry.Path, fs, WalSyncMode.Batch);
            Assert.Equal(Writes, clean.Acknowledged);
            total = fs.Operations;
            _output.WriteLine($"operations: {string.Join(", ", kinds.Select(k => $"{k.Key} x{k.Value}"))}");
            Assert.True(kinds.GetValueOrDefault("Create .sst") >= 4, "the workload flushes and compacts");
            Assert.True(kinds.GetValueOrDefault("Rename .dbtmp") >= 2, "the workload installs CURRENT at each open");
            Assert.True(kinds.GetValueOrDefault("Delete .log") >= 2, "the workload deletes WAL segments");
        }

        var failures = new List<string>();
        long droppedBytes = 0;
        int undone = 0;
        for (long n = 1; n <= total; n++)
        {
            using var dir = new TempDir();
            var fs = new FaultInjectionFileSystem { CrashAtOperation = n };
            Outcome outcome = Run(dir.Path, fs, WalSyncMode.Batch);
            Assert.True(fs.Crashed, $"crash point {n} of {total} was not reached");
            fs.SimulateCrash();
            droppedBytes += fs.LastCrash.DroppedBytes;
            undone += fs.LastCrash.UndoneDirectoryOperations;
            string? problem = Verify(dir.Path, outcome, out _);
            if (problem is not null)
            {
                failures.Add($"crash at operation {n}: {problem}");
            }
        }

        _output.WriteLine($"{total} crash points enumerated; {droppedBytes} unsynced bytes and {undone} directory operations thrown away in all; {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(10)));
    }

    [Fact]
    public void CrashAfterWorkload_SyncModeNone_LosesAcknowledgedWrites()
    {
        using var dir = new TempDir();
        var fs = new FaultInjectionFileSystem();
        Outcome outcome = Run(dir.Path, fs, WalSyncMode.None, crashAtEnd: true);
        fs.SimulateCrash();

        string? problem = Verify(dir.Path, outcome, out int lost);

        // Without fsync the tail of the WAL is gone: the layer sees what a kill -9 cannot.
        _output.WriteLine($"sync mode None: {lost} acknowledged writes lost ({problem})");
        Assert.True(lost > 0, "the fault layer did not detect the missing fsync");
    }

    [Fact]
    public void CrashAfterWorkload_SyncModeBatch_LosesNothing()
    {
        using var dir = new TempDir();
        var fs = new FaultInjectionFileSystem();
        Outcome outcome = Run(dir.Path, fs, WalSyncMode.Batch, crashAtEnd: true);
        fs.SimulateCrash();

        string? problem = Verify(dir.Path, outcome, out int lost);

        Assert.Null(problem);
        Assert.Equal(0, lost);
    }

    /// <summary>
    /// The workload: <see cref="Writes"/> puts and deletes over <see cref="Keys"/> keys, every
    /// third followed by the pending flushes and compactions, a forced flush every 40 writes (not at the end) and a reopen
    /// (manifest roll, CURRENT install, WAL replay and deletion) halfway. Stops at the crash.
    /// </summary>
    private static Outcome Run(string dir, FaultInjectionFileSystem fs, WalSyncMode sync, bool crashAtEnd = false)
    {
        var outcome = new Outcome();
        LsmStore? store = null;
        try
        {
            store = OpenManual(dir, Options(fs, sync));
            for (int i = 0; i < Writes && !fs.Crashed; i++)
            {
                if (i == Writes / 2)
                {
                    store.Dispose();
                    store = null;
                    store = OpenManual(dir, Options(fs, sync));
                }

                int key = (i * 7) % Keys;
                byte[]? value = i % 9 == 4 ? null : Value(i, 700);
                outcome.InFlight = (key, value);
                if (value is null)
                {
                    store.Delete(Key(key));
                }
                else
                {
                    store.Put(Key(key), value);
                }

                if (fs.Crashed)
                {
                    break; // the write may have returned after the crash: not acknowledged
                }

                outcome.Model[key] = value;
                outcome.InFlight = null;
                outcome.Acknowledged++;
                if (i % 3 == 2)
                {
                    Drive(store);
                }

                if (i % 40 == 25)
                {
                    store.FlushIfOlderThan(TimeSpan.Zero);
                    Drive(store);
                }
            }

            if (crashAtEnd)
            {
                fs.CrashNow();
            }
        }
        catch (Exception) when (fs.Crashed)
        {
            // The simulated crash stopped the workload.
        }
        finally
        {
            try
            {
                store?.Dispose();
            }
            catch (Exception) when (fs.Crashed)
            {
                // Closing a crashed store.
            }
        }

        return outcome;
    }

    /// <summary>Reopens (real syncs skipped) and compares every key with the model; returns the first problem or null.</summary>
    private static string? Verify(string dir, Outcome outcome, out int lost)
    {
        lost = 0;
        LsmStore store;
        try
        {
            store = OpenManual(dir, Options(new FaultInjectionFileSystem(), WalSyncMode.Batch));
        }
        catch (Exception e)
        {
            return $"reopen failed: {e.GetType().Name}: {e.Message}";
        }

        using (store)
        {
            string? problem = null;
            for (int key = 0; key < Keys; key++)
            {
                byte[]? actual = store.Get(Key(key));
                byte[]? expected = outcome.Model.GetValueOrDefault(key);
                if (Same(actual, expected))
                {
                    continue;
                }

                if (outcome.InFlight is { } flight && flight.Key == key && Same(actual, flight.Value))
                {
                    continue; // the write in flight at the crash may or may not have landed
                }

                lost++;
                problem ??= $"key {key}: got {Show(actual)}, acknowledged {Show(expected)}";
            }

            int scanned = 0;
            foreach (KeyValuePair<byte[], byte[]> kv in store.Scan(null, null))
            {
                scanned++;
                int key = int.Parse(System.Text.Encoding.ASCII.GetString(kv.Key.AsSpan(1)), System.Globalization.CultureInfo.InvariantCulture);
                if (key >= Keys)
                {
                    problem ??= $"scan returned unknown key {key}";
                }
            }

            if (scanned > Keys)
            {
                problem ??= $"scan returned {scanned} entries for {Keys} keys";
            }

            return problem;
        }
    }

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private sealed class Outcome
    {
        public Dictionary<int, byte[]?> Model { get; } = [];

        public (int Key, byte[]? Value)? InFlight { get; set; }

        public int Acknowledged { get; set; }
    }
}
