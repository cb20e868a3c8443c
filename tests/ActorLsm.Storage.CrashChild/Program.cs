using System.Text;
using ActorLsm.Storage;

// Crash-test child. Modes:
//   write DIR SEED START  — opens DIR with WalSyncMode.Batch, writes keys START, START+1, ...
//                           (puts and small write batches) forever, printing "ACK n" after each
//                           write returns; the parent kills it with SIGKILL.
//   lock DIR              — tries to open DIR; prints "LOCKED" on StoreLockedException, "OPENED" otherwise.
//   hold DIR              — opens DIR, prints "HELD", waits for stdin to close.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: write DIR SEED START | lock DIR | hold DIR");
    return 2;
}

string mode = args[0];
string dir = args[1];
var options = new LsmOptions
{
    WalSyncMode = WalSyncMode.Batch,
    MemTableSize = 64 * 1024,
    TargetFileSize = 32 * 1024,
    MaxBytesForLevelBase = 128 * 1024,
    L0CompactionTrigger = 2,
    BlockSize = 1024,
    FlushInterval = TimeSpan.Zero,
};

switch (mode)
{
    case "lock":
        try
        {
            using LsmStore s = LsmStore.Open(dir, options);
            Console.WriteLine("OPENED");
        }
        catch (StoreLockedException)
        {
            Console.WriteLine("LOCKED");
        }

        return 0;

    case "hold":
        using (LsmStore.Open(dir, options))
        {
            Console.WriteLine("HELD");
            Console.Out.Flush();
            Console.In.ReadToEnd();
        }

        return 0;

    case "write":
        int seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        long next = long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var rng = new Random(seed);
        using (LsmStore store = LsmStore.Open(dir, options))
        {
            var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
            while (true)
            {
                if (rng.Next(4) == 0)
                {
                    var batch = new WriteBatch();
                    int n = rng.Next(2, 6);
                    for (int i = 0; i < n; i++)
                    {
                        batch.Put(CrashKeys.Key(next + i), CrashKeys.Value(next + i));
                    }

                    store.Write(batch);
                    for (int i = 0; i < n; i++)
                    {
                        stdout.WriteLine($"ACK {next + i}");
                    }

                    next += n;
                }
                else
                {
                    store.Put(CrashKeys.Key(next), CrashKeys.Value(next));
                    stdout.WriteLine($"ACK {next}");
                    next++;
                }
            }
        }

    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}

/// <summary>The keys and values the crash test writes and checks; shared by parent and child by value.</summary>
internal static class CrashKeys
{
    public static byte[] Key(long n) => Encoding.ASCII.GetBytes($"k{n:D10}");

    public static byte[] Value(long n) => Encoding.ASCII.GetBytes($"value-{n}-" + new string((char)('a' + (n % 26)), (int)(n % 200)));
}
