using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Tests.Wal;

/// <summary>
/// A WAL segment grows ahead of its appends (LogWriter extendChunk, fallocate with mode 0): the file
/// grows in whole chunks that cover every write, the write position stays at the last record, and a
/// reader reads every record and stops at the zero remainder as a clean end (FORMAT.md, "Durability").
/// </summary>
public sealed class LogExtendTests : IDisposable
{
    private const long Chunk = 8192;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AddRecord_WithExtendChunk_GrowsWholeChunksAheadAndReadsBackCleanly()
    {
        var fs = new RecordingFileSystem();
        string path = _dir.File("000001.log");
        var payloads = new List<byte[]>();
        var random = new Random(77);
        long length;
        using (var writer = new LogWriter(path, bufferSize: 1024, fileSystem: fs, extendChunk: Chunk))
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
                    Assert.True(fs.ExtendedTo >= writer.Length, $"after record {i}: grown to {fs.ExtendedTo}, written to {writer.Length}");
                }
            }

            writer.Sync();
            length = writer.Length;
        }

        // Contiguous whole chunks from offset 0, each one taken only when a write needed it.
        Assert.NotEmpty(fs.Extensions);
        long expectedFrom = 0;
        foreach ((long offset, long count) in fs.Extensions)
        {
            Assert.Equal(expectedFrom, offset);
            Assert.True(count > 0 && count % Chunk == 0, $"growth of {count} bytes is not whole chunks of {Chunk}");
            expectedFrom = offset + count;
        }

        Assert.True(fs.ExtendedTo >= length && fs.ExtendedTo - length < Chunk, $"grown to {fs.ExtendedTo} for {length} bytes");
        Assert.True(fs.Granted || !OperatingSystem.IsLinux(), "fallocate grows files on this file system");
        if (fs.Granted)
        {
            Assert.Equal(fs.ExtendedTo, new FileInfo(path).Length); // the size covers the chunks; the tail is zeros
        }

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
    public void AddRecord_WithoutExtendChunk_GrowsNothing()
    {
        var fs = new RecordingFileSystem();
        string path = _dir.File("000002.log");
        using (var writer = new LogWriter(path, fileSystem: fs))
        {
            writer.AddRecord(LogTestData.Payload(5000, 1));
            writer.Sync();
            Assert.Equal(writer.Length, new FileInfo(path).Length);
        }

        Assert.Empty(fs.Extensions);
    }

    [Fact]
    public void AddRecord_FileCannotGrow_AppendsAndStopsAsking()
    {
        var fs = new RecordingFileSystem { Refuse = true };
        string path = _dir.File("000003.log");
        long length;
        using (var writer = new LogWriter(path, bufferSize: 1024, fileSystem: fs, extendChunk: Chunk))
        {
            for (int i = 0; i < 50; i++)
            {
                writer.AddRecord(LogTestData.Payload(900, i));
                writer.Sync();
            }

            length = writer.Length;
        }

        Assert.Single(fs.Extensions); // asked once, refused, never again
        Assert.Equal(length, new FileInfo(path).Length);
        var (read, offsetAfter, tornTail) = LogTestData.ReadAll(path);
        Assert.False(tornTail);
        Assert.Equal(length, offsetAfter);
        Assert.Equal(50, read.Count);
    }

    /// <summary>The real file system, recording every <see cref="WritableFile.TryExtend"/> call (and passing it on unless told to refuse).</summary>
    private sealed class RecordingFileSystem : IFileSystem
    {
        public List<(long Offset, long Length)> Extensions { get; } = [];

        public bool Refuse { get; init; }

        /// <summary>True when the real file accepted every growth (fallocate works here).</summary>
        public bool Granted { get; private set; } = true;

        public long ExtendedTo => Extensions.Count == 0 ? 0 : Extensions.Max(r => r.Offset + r.Length);

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

            public override bool TryExtend(long offset, long length)
            {
                fs.Extensions.Add((offset, length));
                if (fs.Refuse)
                {
                    return false;
                }

                bool granted = inner.TryExtend(offset, length);
                fs.Granted &= granted;
                return true; // the writer's chunk bookkeeping is what this test checks; the file grows where it can
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
