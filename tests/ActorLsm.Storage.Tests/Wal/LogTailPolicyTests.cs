using ActorLsm.Storage.Util;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Wal;

public sealed class LogTailPolicyTests : IDisposable
{
    private const int Seed = 42;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<byte[]> FourRecords() =>
    [
        LogTestData.Payload(30, Seed),
        LogTestData.Payload(1000, Seed + 1),
        LogTestData.Payload(0, Seed + 2),
        LogTestData.Payload(50, Seed + 3),
    ];

    [Fact]
    public void TryReadRecord_CutAtEveryOffsetOfLastRecord_TornTailKeepsEarlierRecords()
    {
        var payloads = FourRecords();
        string full = _dir.File("full.log");
        long[] starts = LogTestData.Write(full, payloads);
        byte[] bytes = File.ReadAllBytes(full);
        long lastStart = starts[^1];

        for (long cut = lastStart; cut < bytes.Length; cut++)
        {
            string path = _dir.File($"cut{cut}.log");
            File.WriteAllBytes(path, bytes.AsSpan(0, (int)cut).ToArray());

            var (read, offset, tornTail) = LogTestData.ReadAll(path);

            Assert.Equal(cut > lastStart, tornTail);
            Assert.Equal(lastStart, offset);
            Assert.Equal(payloads.Count - 1, read.Count);
            for (int i = 0; i < read.Count; i++)
            {
                Assert.True(payloads[i].AsSpan().SequenceEqual(read[i]), $"record {i} differs after cut at {cut}");
            }
        }
    }

    [Fact]
    public void TruncateTornTail_ThenAppend_LogReadsCleanly()
    {
        var payloads = FourRecords();
        string path = _dir.File("000001.log");
        long[] starts = LogTestData.Write(path, payloads);
        long length = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(length - 7);
        }

        long validLength;
        using (var reader = new LogReader(path))
        {
            while (reader.TryReadRecord(out _, out _))
            {
            }

            Assert.True(reader.TornTail);
            validLength = reader.Offset;
        }

        Assert.Equal(starts[^1], validLength);
        Assert.Equal(length - 7 - validLength, LogRecovery.TruncateTornTail(path, validLength));
        Assert.Equal(0, LogRecovery.TruncateTornTail(path, validLength));
        using (var writer = new LogWriter(path, truncate: false))
        {
            writer.AddRecord([7, 7, 7]);
        }

        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        Assert.False(tornTail);
        Assert.Equal(new FileInfo(path).Length, offset);
        Assert.Equal(payloads.Count, read.Count);
        Assert.Equal(new byte[] { 7, 7, 7 }, read[^1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(4096)]
    [InlineData(70_000)]
    public void TryReadRecord_ZeroFilledTail_CleanEndKeepsAllRecords(int zeros)
    {
        var payloads = FourRecords();
        string path = _dir.File("000001.log");
        LogTestData.Write(path, payloads);
        long length = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[zeros]);
        }

        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        // A segment grown ahead of its appends ends this way (FORMAT.md, "Durability").
        Assert.False(tornTail);
        Assert.Equal(length, offset);
        Assert.Equal(payloads.Count, read.Count);
    }

    [Fact]
    public void TryReadRecord_LastLengthDamagedIntoZeroRemainder_ThrowsCorruption()
    {
        // A grown segment: the records, then zeros. A length field that grew by 100 now ends inside
        // the zeros, as a torn append would; the whole payload before them still matches the CRC.
        var payloads = FourRecords();
        string path = _dir.File("000001.log");
        long[] starts = LogTestData.Write(path, payloads);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = starts[^1] + LogFormat.LengthOffset;
            stream.Write(BitConverter.GetBytes((uint)(payloads[^1].Length + 100)));
            stream.Position = stream.Length;
            stream.Write(new byte[4096]);
        }

        var e = Assert.Throws<CorruptionException>(() => LogTestData.ReadAll(path));

        Assert.Equal(starts[^1], e.Offset);
        Assert.Contains("length field is damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadRecord_BadLastRecordFollowedByZeros_TornTail()
    {
        var payloads = FourRecords();
        string path = _dir.File("000001.log");
        long[] starts = LogTestData.Write(path, payloads);
        LogTestData.FlipBit(path, starts[^1] + LogFormat.HeaderSize + 3, 2);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[100]);
        }

        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        Assert.True(tornTail);
        Assert.Equal(starts[^1], offset);
        Assert.Equal(payloads.Count - 1, read.Count);
    }

    [Theory]
    [InlineData(0)] // masked CRC
    [InlineData(LogFormat.TypeOffset)]
    [InlineData(LogFormat.HeaderSize)] // first payload byte
    [InlineData(LogFormat.HeaderSize + 999)] // last payload byte
    public void TryReadRecord_FlippedBitInMiddleRecord_ThrowsCorruptionAtRecordOffset(int byteInRecord)
    {
        var payloads = FourRecords();
        string path = _dir.File("000001.log");
        long[] starts = LogTestData.Write(path, payloads);
        LogTestData.FlipBit(path, starts[1] + byteInRecord, 5);

        using var reader = new LogReader(path);
        Assert.True(reader.TryReadRecord(out _, out _));
        CorruptionException e;
        try
        {
            reader.TryReadRecord(out _, out _);
            throw new InvalidOperationException("expected CorruptionException");
        }
        catch (CorruptionException caught)
        {
            e = caught;
        }

        Assert.Equal(path, e.FilePath);
        Assert.Equal(starts[1], e.Offset);
        Assert.Equal(starts[1], reader.Offset);
        Assert.False(reader.TornTail);
    }

    [Fact]
    public void TryReadRecord_FlippedBitAnywhereInLastRecordCrcOrPayload_TornTail()
    {
        var payloads = FourRecords();
        string original = _dir.File("original.log");
        long[] starts = LogTestData.Write(original, payloads);
        long length = new FileInfo(original).Length;
        long[] positions = [starts[^1], starts[^1] + 3, starts[^1] + LogFormat.TypeOffset, starts[^1] + LogFormat.HeaderSize, length - 1];

        foreach (long position in positions)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                string path = _dir.File($"flip{position}-{bit}.log");
                File.Copy(original, path);
                LogTestData.FlipBit(path, position, bit);

                var (read, offset, tornTail) = LogTestData.ReadAll(path);

                Assert.True(tornTail, $"flip at {position} bit {bit}");
                Assert.Equal(starts[^1], offset);
                Assert.Equal(payloads.Count - 1, read.Count);
            }
        }
    }

    [Fact]
    public void TryReadRecord_LengthRunsPastEnd_TornTail()
    {
        string path = _dir.File("000001.log");
        LogTestData.Write(path, [[1, 2, 3]]);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            Span<byte> header = stackalloc byte[LogFormat.HeaderSize + 4];
            header.Fill(0xAB);
            Coding.PutFixed32(header[LogFormat.LengthOffset..], 100);
            stream.Write(header);
        }

        var (read, offset, tornTail) = LogTestData.ReadAll(path);

        Assert.True(tornTail);
        Assert.Equal(LogFormat.HeaderSize + 3, offset);
        Assert.Single(read);
    }

    [Fact]
    public void TryReadRecord_ValidCrcReservedType_ThrowsCorruption()
    {
        string path = _dir.File("000001.log");
        byte[] record = new byte[LogFormat.HeaderSize + 2];
        record[LogFormat.TypeOffset] = LogFormat.Middle;
        record[LogFormat.HeaderSize] = 1;
        record[LogFormat.HeaderSize + 1] = 2;
        Coding.PutFixed32(record.AsSpan(LogFormat.LengthOffset), 2);
        Coding.PutFixed32(record, Crc32C.Mask(Crc32C.Compute(record.AsSpan(LogFormat.TypeOffset))));
        File.WriteAllBytes(path, record);

        using var reader = new LogReader(path);
        var e = Assert.Throws<CorruptionException>(() => reader.TryReadRecord(out _, out _));
        Assert.Equal(0, e.Offset);
    }
}
