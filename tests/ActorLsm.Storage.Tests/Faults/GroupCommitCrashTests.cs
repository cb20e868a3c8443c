using ActorLsm.Storage.FileSystem;
using static ActorLsm.Storage.Tests.Faults.FaultTestStore;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>
/// Many writers committing at once (group commit: one WAL write and one fsync per group) into WAL
/// segments that reserve their disk space ahead (LogWriter reserveChunk), under
/// <see cref="FaultInjectionFileSystem"/>, which throws away every byte not fsynced when the
/// machine "crashes": every write acknowledged before the crash is there after it.
/// </summary>
public sealed class GroupCommitCrashTests
{
    private const int Threads = 8;
    private const int WritesPerThread = 400;

    [Fact]
    public void ConcurrentWriters_SyncModeBatch_CrashLosesNoAcknowledgedWrite()
    {
        using var dir = new TempDir();
        var fs = new FaultInjectionFileSystem();
        LsmOptions options = Options(fs, WalSyncMode.Batch);
        options.MemTableSize = 64 * 1024; // a few WAL rolls over the run, so new segments reserve too
        options.MaxImmutableMemTables = 64; // no flush runs (manual host): never stall
        var acknowledged = new List<(int Thread, int Write)>[Threads];
        // The machine "crashes" at the 100th WAL write (one per commit group; at least 3200 / 8 =
        // 400 happen): every operation after it is dropped, and the writers of that group see the
        // crash and are not counted.
        int walWrites = 0;
        fs.FaultInjector = (op, path) =>
        {
            if (op == FaultOperation.Write && path.EndsWith(".log", StringComparison.Ordinal) && ++walWrites == 100)
            {
                fs.CrashNow();
            }

            return null;
        };

        LsmStore store = OpenManual(dir.Path, options);
        var writers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int thread = t;
            acknowledged[thread] = [];
            writers[t] = new Thread(() =>
            {
                for (int i = 0; i < WritesPerThread; i++)
                {
                    store.Put(Key(thread * WritesPerThread + i), Value(thread * WritesPerThread + i, 40));

                    // Counted only if the crash had not happened when Put returned: then its fsync
                    // ran before the crash (the flag never goes back), so it must be durable.
                    if (!fs.Crashed)
                    {
                        acknowledged[thread].Add((thread, i));
                    }

                }
            });
            writers[t].Start();
        }

        foreach (Thread writer in writers)
        {
            writer.Join();
        }

        store.Dispose();
        fs.SimulateCrash(); // a write acknowledged without its fsync would be cut off here

        using LsmStore reopened = OpenManual(dir.Path, Options(fs, WalSyncMode.Batch));
        int count = 0;
        foreach (List<(int Thread, int Write)> list in acknowledged)
        {
            foreach ((int thread, int i) in list)
            {
                int n = thread * WritesPerThread + i;
                byte[]? value = reopened.Get(Key(n));
                Assert.True(value is not null && value.AsSpan().SequenceEqual(Value(n, 40)), $"acknowledged write {n} reads {Show(value)} after the crash");
                count++;
            }
        }

        Assert.InRange(count, 1, Threads * WritesPerThread - 1); // the crash came mid-run
    }
}
