using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Wal;

public sealed class LogRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(LogWriter.DefaultBufferSize)]
    [InlineData(LogFormat.HeaderSize)]
    [InlineData(100)]
    public void AddRecord_ManySizes_ReadBackIdentical(int bufferSize)
    {
        const int Seed = 1234;
        int[] sizes = [0, 1, 7, 8, 9, 100, 4096, 65536 - 9, 65536 - 8, 65536, 65537, 200_000, 0, 3];
        var payloads = new List<byte[]>();
        for (int i = 0; i < sizes.Length; i++)
        {
            payloads.Add(LogTestData.Payload(sizes[i], Seed + i));
        }

        var random = new Random(Seed);
        for (int i = 0; i < 200; i++)
        {
            payloads.Add(LogTestData.Payload(random.Next(0, 3000), Seed + 1000 + i));
        }

        string path = _dir.File("000001.log");
        LogTestData.Write(path, payloads, bufferSize);
        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        Assert.False(tornTail);
        Assert.Equal(new FileInfo(path).Length, offset);
        Assert.Equal(payloads.Count, read.Count);
        for (int i = 0; i < payloads.Count; i++)
        {
            Assert.True(payloads[i].AsSpan().SequenceEqual(read[i]), $"record {i} differs (seed {Seed}, buffer {bufferSize})");
        }
    }

    [Fact]
    public void AddRecord_Always_ReturnsLengthAfterRecord()
    {
        string path = _dir.File("000001.log");
        using var writer = new LogWriter(path);
        long expected = 0;
        foreach (int size in new[] { 0, 10, 70_000, 5 })
        {
            expected += LogFormat.HeaderSize + size;
            Assert.Equal(expected, writer.AddRecord(new byte[size]));
            Assert.Equal(expected, writer.Length);
        }

        writer.Flush();
        Assert.Equal(expected, new FileInfo(path).Length);
    }

    [Fact]
    public void Sync_AfterAddRecord_DataVisibleToReaderWhileWriterOpen()
    {
        string path = _dir.File("000001.log");
        using var writer = new LogWriter(path);
        writer.AddRecord("hello"u8);
        writer.Sync();

        var (read, _, tornTail) = LogTestData.ReadAll(path);

        Assert.False(tornTail);
        Assert.Equal("hello"u8.ToArray(), Assert.Single(read));
    }

    [Fact]
    public void LogWriter_NoTruncate_AppendsAfterExistingRecords()
    {
        string path = _dir.File("000001.log");
        LogTestData.Write(path, [[1, 2, 3]]);
        using (var writer = new LogWriter(path, truncate: false))
        {
            Assert.Equal(LogFormat.HeaderSize + 3, writer.Length);
            writer.AddRecord([4, 5]);
        }

        var (read, _, _) = LogTestData.ReadAll(path);

        Assert.Equal(2, read.Count);
        Assert.Equal(new byte[] { 4, 5 }, read[1]);
    }

    [Fact]
    public void AddRecord_SmallAndLargePayloads_AllocatesNothing()
    {
        using var writer = new LogWriter(_dir.File("000001.log"), truncate: true, bufferSize: 4096);
        byte[] small = LogTestData.Payload(100, 1);
        byte[] large = LogTestData.Payload(10_000, 2);
        writer.AddRecord(small);
        writer.AddRecord(large);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            writer.AddRecord(small);
            if (i % 100 == 0)
            {
                writer.AddRecord(large);
            }
        }

        writer.Flush();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TryReadRecord_EmptyFile_CleanEnd()
    {
        string path = _dir.File("000001.log");
        File.WriteAllBytes(path, []);

        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        Assert.Empty(read);
        Assert.Equal(0, offset);
        Assert.False(tornTail);
    }

    [Fact]
    public void AddRecord_PayloadOverMaxRecordSize_ThrowsArgumentException()
    {
        using var writer = new LogWriter(_dir.File("000001.log"));
        // A span that is never dereferenced: the size check comes first.
        ReadOnlySpan<byte> huge = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.NullRef<byte>(), LogFormat.MaxRecordSize + 1);
        try
        {
            writer.AddRecord(huge);
            Assert.Fail("expected ArgumentException");
        }
        catch (ArgumentException e)
        {
            Assert.Equal("payload", e.ParamName);
        }

        Assert.Equal(0, writer.Length);
    }

    [Theory]
    [InlineData(LogFormat.Zero)]
    [InlineData(LogFormat.First)]
    [InlineData(LogFormat.Middle)]
    [InlineData(LogFormat.Last)]
    public void AddRecord_ReservedType_ThrowsArgumentException(byte type)
    {
        using var writer = new LogWriter(_dir.File("000001.log"));

        Assert.Throws<ArgumentException>(() => writer.AddRecord([1], type));
    }

    [Fact]
    public void TryReadRecord_UnassignedType_ReturnsIt()
    {
        string path = _dir.File("000001.log");
        using (var writer = new LogWriter(path))
        {
            writer.AddRecord([9], 200);
        }

        using var reader = new LogReader(path);
        Assert.True(reader.TryReadRecord(out ReadOnlySpan<byte> payload, out byte type));
        Assert.Equal(200, type);
        Assert.Equal(9, payload[0]);
    }
}
