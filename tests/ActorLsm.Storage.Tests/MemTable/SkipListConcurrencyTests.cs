using System.Buffers.Binary;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Memtables;

namespace ActorLsm.Storage.Tests.Memtables;

public class SkipListConcurrencyTests
{
    private const int EntryCount = 20_000;
    private const int Checkpoint = 2_500;
    private const int ReaderCount = 2;

    private static void WriteKey(Span<byte> key, int id) => BinaryPrimitives.WriteInt32BigEndian(key, id);

    private static void WriteValue(Span<byte> value, int id)
    {
        for (int i = 0; i < value.Length; i += sizeof(int))
        {
            BinaryPrimitives.WriteInt32LittleEndian(value[i..], id ^ (i * 0x01010101));
        }
    }

    [Theory]
    [InlineData(101)]
    [InlineData(202)]
    public async Task Scan_WhileSingleWriterInserts_SeesSortedListWithEveryPublishedKey(int seed)
    {
        var random = new Random(seed);
        int[] order = Enumerable.Range(0, EntryCount).OrderBy(_ => random.Next()).ToArray();
        var table = new MemTable(8 << 20);
        int published = 0;
        int writerDone = 0;
        int readerFailed = 0;
        int[] scansCompleted = new int[ReaderCount];

        void Writer()
        {
            Span<byte> key = stackalloc byte[4];
            Span<byte> value = stackalloc byte[16];
            for (int i = 0; i < EntryCount; i++)
            {
                WriteKey(key, order[i]);
                WriteValue(value, order[i]);
                if (!table.TryAdd((ulong)i + 1, ValueKind.Put, key, value))
                {
                    throw new InvalidOperationException($"seed {seed}: TryAdd {i} failed");
                }

                Volatile.Write(ref published, i + 1);
                if ((i + 1) % Checkpoint == 0)
                {
                    // Let every reader finish at least one scan that overlaps the inserts (no sleeps: wait on their counters).
                    for (int r = 0; r < ReaderCount; r++)
                    {
                        int target = Volatile.Read(ref scansCompleted[r]) + 1;
                        int reader = r;
                        bool progressed = SpinWait.SpinUntil(
                            () => Volatile.Read(ref scansCompleted[reader]) >= target || Volatile.Read(ref readerFailed) != 0,
                            TimeSpan.FromSeconds(30));
                        if (!progressed)
                        {
                            throw new TimeoutException($"seed {seed}: reader {reader} made no progress");
                        }
                    }
                }
            }

            Volatile.Write(ref writerDone, 1);
        }

        void Reader(int readerNo)
        {
            try
            {
                int[] seenInScan = new int[EntryCount];
                Span<byte> expectedValue = stackalloc byte[16];
                Span<byte> probeKey = stackalloc byte[4];
                int scanNo = 0;
                while (true)
                {
                    bool last = Volatile.Read(ref writerDone) != 0;
                    int knownPublished = Volatile.Read(ref published);
                    scanNo++;
                    int seen = 0;
                    int previousId = -1;
                    using (IInternalIterator it = table.NewIterator())
                    {
                        for (it.SeekToFirst(); it.Valid; it.Next())
                        {
                            int id = BinaryPrimitives.ReadInt32BigEndian(InternalKey.UserKey(it.Key));
                            if (id <= previousId)
                            {
                                throw new InvalidOperationException($"seed {seed}: reader {readerNo} scan {scanNo}: key {id} after {previousId}");
                            }

                            WriteValue(expectedValue, id);
                            if (!it.Value.SequenceEqual(expectedValue))
                            {
                                throw new InvalidOperationException($"seed {seed}: reader {readerNo}: torn value for key {id}");
                            }

                            seenInScan[id] = scanNo;
                            previousId = id;
                            seen++;
                        }
                    }

                    if (seen < knownPublished)
                    {
                        throw new InvalidOperationException($"seed {seed}: reader {readerNo} scan {scanNo}: saw {seen} entries, {knownPublished} were published");
                    }

                    for (int j = 0; j < knownPublished; j++)
                    {
                        if (seenInScan[order[j]] != scanNo)
                        {
                            throw new InvalidOperationException($"seed {seed}: reader {readerNo} scan {scanNo}: published key {order[j]} missing");
                        }
                    }

                    if (knownPublished > 0)
                    {
                        WriteKey(probeKey, order[knownPublished - 1]);
                        if (table.Get(probeKey, ulong.MaxValue, out _) != MemTableGetResult.Found)
                        {
                            throw new InvalidOperationException($"seed {seed}: reader {readerNo}: Get missed published key {order[knownPublished - 1]}");
                        }
                    }

                    Interlocked.Increment(ref scansCompleted[readerNo]);
                    if (last)
                    {
                        return;
                    }
                }
            }
            catch
            {
                Volatile.Write(ref readerFailed, 1);
                throw;
            }
        }

        var tasks = new List<Task> { Task.Factory.StartNew(Writer, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default) };
        for (int r = 0; r < ReaderCount; r++)
        {
            int readerNo = r;
            tasks.Add(Task.Factory.StartNew(() => Reader(readerNo), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }

        await Task.WhenAll(tasks);

        Assert.Equal(EntryCount, table.Count);
        for (int r = 0; r < ReaderCount; r++)
        {
            Assert.True(scansCompleted[r] >= EntryCount / Checkpoint, $"seed {seed}: reader {r} completed only {scansCompleted[r]} scans");
        }
    }
}
