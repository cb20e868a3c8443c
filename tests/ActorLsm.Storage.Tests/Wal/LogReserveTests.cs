using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Wal;

/// <summary>
/// A WAL segment reserves disk space ahead of its appends (LogWriter reserveChunk, fallocate with
/// FALLOC_FL_KEEP_SIZE): the reservations cover every write in whole chunks, and the file's
/// length and records are exactly those of a log written without them (FORMAT.md unchanged).
/// </summary>
public sealed class LogReserveTests : IDisposable
{
    private const long Chunk = 8192;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AddRecord_WithReserveChunk_ReservesWholeChunksAheadAndKeepsLengthAndRecords()
    {
        var fs = new RecordingFileSystem();
        string path = _dir.File("000001.log");
        var payloads = new List<byte[]>();
        var random = new Random(77);
        long length;
        using (var writer = new LogWriter(path, bufferSize: 1024, fileSystem: fs, reserveChunk: Chunk))
        {
            for (int i = 0; i < 300; i++)
            {
                // Mostly small records, some larger than the buffer (written straight through).
                byte[] payload = LogTestData.Payload(i % 50 == 7 ? 20_000 : random.Next(0, 400), i);
                payloads.Add(payload);
                writer.AddRecord(payload);
                if (i % 3 == 0)
                {
                    writer.Sync();
                    Assert.True(fs.ReservedTo >= writer.Length, $"after record {i}: reserved to {fs.ReservedTo}, written to {writer.Length}");
                }
            }

            writer.Sync();
            length = writer.Length;
        }

        // Contiguous whole chunks from offset 0, each one taken only when a write needed it.
        Assert.NotEmpty(fs.Reservations);
        long expectedFrom = 0;
        foreach ((long offset, long count) in fs.Reservations)
        {
            Assert.Equal(expectedFrom, offset);
            Assert.True(count > 0 && count % Chunk == 0, $"reservation of {count} bytes is not whole chunks of {Chunk}");
            expectedFrom = offset + count;
        }

        Assert.True(fs.ReservedTo >= length && fs.ReservedTo - length < Chunk, $"reserved to {fs.ReservedTo} for {length} bytes");

        // KEEP_SIZE: the real file is as long as the records, and reads back clean.
        Assert.Equal(length, new FileInfo(path).Length);
        var (read, offsetAfter, tornTail) = LogTestData.ReadAll(path);
        Assert.False(tornTail);
        Assert.Equal(length, offsetAfter);
        Assert.Equal(payloads.Count, read.Count);
        for (int i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(payloads[i], read[i]);
        }
    }

    [Fact]
    public void AddRecord_WithoutReserveChunk_ReservesNothing()
    {
        var fs = new RecordingFileSystem();
        using (var writer = new LogWriter(_dir.File("000002.log"), fileSystem: fs))
        {
            writer.AddRecord(LogTestData.Payload(5000, 1));
            writer.Sync();
        }

        Assert.Empty(fs.Reservations);
    }

    /// <summary>The real file system, recording every <see cref="WritableFile.Reserve"/> call (and passing it on).</summary>
    private sealed class RecordingFileSystem : IFileSystem
    {
        public List<(long Offset, long Length)> Reservations { get; } = [];

        public long ReservedTo => Reservations.Count == 0 ? 0 : Reservations.Max(r => r.Offset + r.Length);

        public WritableFile OpenWritable(string path, bool truncate, int bufferSize) =>
            new RecordingFile(this, DefaultFileSystem.Instance.OpenWritable(path, truncate, bufferSize));

        public void Rename(string source, string target) => DefaultFileSystem.Instance.Rename(source, target);

        public void Delete(string path) => DefaultFileSystem.Instance.Delete(path);

        public void SyncDirectory(string dir) => DefaultFileSystem.Instance.SyncDirectory(dir);

        private sealed class RecordingFile(RecordingFileSystem fs, WritableFile inner) : WritableFile
        {
            public override string Path => inner.Path;

            public override long Length => inner.Length;

            public override void Write(ReadOnlySpan<byte> data) => inner.Write(data);

            public override void Flush() => inner.Flush();

            public override void Sync() => inner.Sync();

            public override void SetLength(long length) => inner.SetLength(length);

            public override void Reserve(long offset, long length)
            {
                fs.Reservations.Add((offset, length));
                inner.Reserve(offset, length);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }
            }
        }
    }
}
