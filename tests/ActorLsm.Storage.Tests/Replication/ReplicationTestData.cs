using System.Text;

namespace ActorLsm.Storage.Tests.Replication;

/// <summary>Helpers shared by the replication API tests.</summary>
internal static class ReplicationTestData
{
    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Options with a large memtable and no fsync: nothing flushes unless asked.</summary>
    public static LsmOptions NoSync() => new() { WalSyncMode = WalSyncMode.None, FlushInterval = TimeSpan.Zero };

    /// <summary>Every live key and value, in key order, as strings.</summary>
    public static List<(string Key, string Value)> Contents(LsmStore store) =>
        [.. store.Scan(null, null).Select(kv => (Encoding.UTF8.GetString(kv.Key), Encoding.UTF8.GetString(kv.Value)))];

    /// <summary>File name and length of every WAL segment in <paramref name="dir"/>, sorted.</summary>
    public static List<(string Name, long Length)> WalFiles(string dir) =>
        [.. Directory.GetFiles(dir, "*.log").Select(p => (System.IO.Path.GetFileName(p), new FileInfo(p).Length)).OrderBy(f => f.Item1, StringComparer.Ordinal)];

    /// <summary>Applies every batch <paramref name="leader"/> holds after the follower's LastSequence to <paramref name="follower"/> with WriteAt.</summary>
    /// <returns>The number of batches applied.</returns>
    public static int CatchUp(LsmStore leader, LsmStore follower, long maxBytes = 4096)
    {
        int applied = 0;
        while (true)
        {
            IReadOnlyList<LogRecord>? records = leader.ReadLog(follower.LastSequence + 1, maxBytes);
            Assert.NotNull(records);
            if (records.Count == 0)
            {
                return applied;
            }

            foreach (LogRecord record in records)
            {
                follower.WriteAt(WriteBatch.FromBytes(record.Payload), record.FirstSequence);
                applied++;
            }
        }
    }
}

/// <summary>A background host that never runs flushes or compactions: immutable memtables and their WAL segments stay.</summary>
internal sealed class NoBackgroundHost : IBackgroundWorkHost
{
    public void RequestFlush()
    {
    }

    public void RequestCompaction()
    {
    }

    public void Dispose()
    {
    }
}
