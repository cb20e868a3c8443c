using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Wal;

/// <summary>Builds log files for tests and reads them back.</summary>
internal static class LogTestData
{
    /// <summary>Deterministic payload: bytes from <paramref name="seed"/>, never all zero when non-empty.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        if (length > 0)
        {
            bytes[0] = (byte)(seed | 1);
        }

        return bytes;
    }

    /// <summary>Writes the payloads as Full records; returns the file offset where each record starts.</summary>
    public static long[] Write(string path, IReadOnlyList<byte[]> payloads, int bufferSize = LogWriter.DefaultBufferSize)
    {
        var starts = new long[payloads.Count];
        using var writer = new LogWriter(path, truncate: true, bufferSize);
        for (int i = 0; i < payloads.Count; i++)
        {
            starts[i] = writer.Length;
            writer.AddRecord(payloads[i]);
        }

        return starts;
    }

    /// <summary>Reads every record; returns the payloads plus the reader's final offset and torn-tail flag.</summary>
    public static (List<byte[]> Payloads, long Offset, bool TornTail) ReadAll(string path)
    {
        var payloads = new List<byte[]>();
        using var reader = new LogReader(path);
        while (reader.TryReadRecord(out ReadOnlySpan<byte> payload, out byte type))
        {
            Assert.Equal(LogFormat.Full, type);
            payloads.Add(payload.ToArray());
        }

        Assert.False(reader.TryReadRecord(out _, out _));
        return (payloads, reader.Offset, reader.TornTail);
    }

    /// <summary>
    /// What a crash in the middle of the last append leaves in a WAL segment grown ahead of its
    /// appends (LogWriter extendChunk): the last <paramref name="bytes"/> bytes of the last record
    /// never reached the disk and read as zeros; the file keeps its size. A segment that did not
    /// grow (no zero remainder) is cut instead, as an append-only file would be.
    /// </summary>
    public static void TearLastRecord(string path, int bytes)
    {
        long validLength = ReadAll(path).Offset;
        using var stream = new FileStream(path, FileMode.Open);
        if (stream.Length > validLength)
        {
            stream.Position = validLength - bytes;
            stream.Write(new byte[bytes]);
        }
        else
        {
            stream.SetLength(validLength - bytes);
        }
    }

    public static void FlipBit(string path, long offset, int bit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ (1 << bit)));
    }
}
