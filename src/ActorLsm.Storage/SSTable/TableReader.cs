using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using ActorLsm.Storage.Cache;
using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;
using Microsoft.Win32.SafeHandles;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// An open SSTable (LevelDB's Table): the footer, index block, bloom filter and properties are
/// read and checked at <see cref="Open"/> and kept in managed memory; data blocks are read on
/// demand with positional reads (<see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>)
/// into reference-counted native memory (<see cref="Block"/>), through the shared
/// <see cref="BlockCache"/> when one is given. Every member is safe to call from many
/// threads at once; iterators themselves are single-threaded. Corrupt data throws
/// <see cref="CorruptionException"/> naming the file and offset.
/// </summary>
internal sealed class TableReader : IDisposable
{
    // Per-thread iterators reused by TryGet, so a point lookup allocates nothing on a cache hit.
    [ThreadStatic]
    private static GetScratch? s_scratch;

    private readonly SafeFileHandle _file;
    private readonly BlockCache? _cache;
    private readonly bool _verifyChecksums;
    private readonly Block _index;
    private readonly byte[]? _filter;
    private readonly int _filterLength;
    private readonly long _dataEnd;

    private TableReader(
        string path, ulong fileNumber, SafeFileHandle file, long fileSize, BlockCache? cache, bool verifyChecksums,
        Block index, byte[]? filter, int filterLength, long dataEnd, TableProperties properties)
    {
        Path = path;
        FileNumber = fileNumber;
        _file = file;
        FileSize = fileSize;
        _cache = cache;
        _verifyChecksums = verifyChecksums;
        _index = index;
        _filter = filter;
        _filterLength = filterLength;
        _dataEnd = dataEnd;
        Properties = properties;
    }

    public string Path { get; }

    public ulong FileNumber { get; }

    /// <summary>Table file size in bytes.</summary>
    public long FileSize { get; }

    /// <summary>The statistics stored in the properties block.</summary>
    public TableProperties Properties { get; }

    /// <summary>True when the table has a bloom filter.</summary>
    public bool HasFilter => _filter is not null;

    /// <summary>
    /// Opens the table at <paramref name="path"/>: reads and checks the footer, then the index,
    /// filter and properties blocks (their checksums are always verified). Data block checksums
    /// are verified on read when <paramref name="verifyChecksums"/>. <paramref name="fileNumber"/>
    /// keys this table's blocks in <paramref name="cache"/> (null: no caching). Throws
    /// <see cref="CorruptionException"/> on a bad magic number, checksum or block handle, and the
    /// usual I/O exceptions (for example <see cref="FileNotFoundException"/>).
    /// </summary>
    public static TableReader Open(string path, ulong fileNumber, BlockCache? cache, bool verifyChecksums)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        try
        {
            long size = RandomAccess.GetLength(file);
            if (size < TableFormat.FooterSize)
            {
                throw new CorruptionException(path, 0, $"file of {size} bytes is too short to be a table");
            }

            long footerAt = size - TableFormat.FooterSize;
            Span<byte> footerBytes = stackalloc byte[TableFormat.FooterSize];
            ReadExactly(file, footerBytes, footerAt, path);
            var footer = Footer.Decode(footerBytes, path, footerAt);
            CheckHandle(footer.Index, footerAt, path, "index");
            CheckHandle(footer.Properties, footerAt, path, "properties");
            if (footer.Filter.Size > 0)
            {
                CheckHandle(footer.Filter, footerAt, path, "filter");
            }

            var (indexData, indexOffset, indexLength) = ReadContents(file, footer.Index, verifyChecksum: true, path);
            var index = new Block(indexData, indexOffset, indexLength, path, footer.Index.Offset);

            var (propsData, propsOffset, propsLength) = ReadContents(file, footer.Properties, verifyChecksum: true, path);
            var properties = TableProperties.Decode(propsData.AsSpan(propsOffset, propsLength), path, footer.Properties.Offset);

            byte[]? filter = null;
            int filterLength = 0;
            if (footer.Filter.Size > 0)
            {
                (filter, int filterOffset, filterLength) = ReadContents(file, footer.Filter, verifyChecksum: true, path);
                Debug.Assert(filterOffset == 0, "metadata blocks are stored uncompressed");
            }

            // Data blocks precede the filter, properties and index blocks.
            long dataEnd = Math.Min(footer.Filter.Offset, Math.Min(footer.Properties.Offset, footer.Index.Offset));
            var reader = new TableReader(path, fileNumber, file, size, cache, verifyChecksums, index, filter, filterLength, dataEnd, properties);
            reader.AssertInvariants();
            return reader;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>False when the bloom filter proves <paramref name="userKey"/> absent; true otherwise (and when there is no filter).</summary>
    public bool MayContain(ReadOnlySpan<byte> userKey) =>
        _filter is null || BloomFilter.MayContain(_filter.AsSpan(0, _filterLength), userKey);

    /// <summary>
    /// Point lookup. Finds the first entry whose internal key is &gt;= <paramref name="seekInternalKey"/>
    /// (built by the caller as user key ++ trailer(snapshot sequence, <see cref="InternalKey.KindForSeek"/>))
    /// and returns true when its user key equals the seek key's: then <paramref name="kind"/>,
    /// <paramref name="sequence"/> and <paramref name="value"/> describe that newest visible version
    /// (a tombstone has kind Delete). Checks the bloom filter first. <paramref name="value"/> points
    /// into the data block's native memory, which the cache may evict at any moment: the lookup
    /// hands the caller a reference in <paramref name="pin"/> (non-null exactly when it returns
    /// true), and the caller must read or copy the value and then call <see cref="Block.Unref"/>
    /// on it, after which the span must not be touched. Never write through the span. Reads blocks
    /// into the cache. REQUIRES: seekInternalKey is well-formed.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> seekInternalKey, out ValueKind kind, out ReadOnlySpan<byte> value, out ulong sequence, [NotNullWhen(true)] out Block? pin)
    {
        kind = default;
        value = default;
        sequence = 0;
        pin = null;
        var userKey = InternalKey.UserKey(seekInternalKey);
        if (!MayContain(userKey))
        {
            return false;
        }

        var scratch = s_scratch ??= new GetScratch();
        var index = scratch.Index;
        var data = scratch.Data;
        Block? block = null;
        try
        {
            index.Reset(_index);
            index.Seek(seekInternalKey);
            if (!index.Valid)
            {
                return false;
            }

            // The index separators guarantee that a matching user key is in this block (the separator
            // of a block sorts before every entry of the next block's first user key).
            block = ReadDataBlock(DecodeIndexValue(index.Value), fillCache: true);
            data.Reset(block);
            data.Seek(seekInternalKey);
            if (!data.Valid || !InternalKey.UserKey(data.Key).SequenceEqual(userKey))
            {
                return false;
            }

            ulong trailer = InternalKey.Trailer(data.Key);
            kind = (ValueKind)(byte)trailer;
            sequence = trailer >> 8;
            value = data.Value;
            pin = block;
            block = null; // the caller's reference now
            return true;
        }
        finally
        {
            // The per-thread iterators must not point at this table's blocks after the call.
            index.Clear();
            data.Clear();
            block?.Unref();
        }
    }

    /// <summary>
    /// A two-level iterator over all entries (index block, then data blocks). With
    /// <paramref name="fillCache"/> false, blocks found in the cache are used but blocks read from
    /// disk are not inserted (for compaction scans, which would otherwise churn the cache).
    /// </summary>
    public IInternalIterator NewIterator(bool fillCache = true) => new TableIterator(this, fillCache);

    /// <summary>
    /// Approximate byte offset in the file where <paramref name="internalKey"/> would be: the offset
    /// of the data block that may hold it, or the end of the data blocks when it is past the last key.
    /// </summary>
    public long ApproximateOffsetOf(ReadOnlySpan<byte> internalKey)
    {
        using var index = new BlockIterator(_index);
        index.Seek(internalKey);
        return index.Valid ? DecodeIndexValue(index.Value).Offset : _dataEnd;
    }

    public void Dispose() => _file.Dispose();

    public override string ToString() => $"table #{FileNumber} {Path} ({FileSize} bytes)";

    /// <summary>An iterator over the index block: separator keys to encoded data block handles.</summary>
    internal BlockIterator NewIndexIterator() => new(_index);

    /// <summary>Decodes an index entry's value. Throws <see cref="CorruptionException"/> when it is not a valid data block handle.</summary>
    internal BlockHandle DecodeIndexValue(ReadOnlySpan<byte> value)
    {
        int n = BlockHandle.TryDecode(value, out var handle);
        if (n == 0 || n != value.Length || handle.End > _dataEnd)
        {
            throw new CorruptionException(Path, _index.FileOffset, $"bad data block handle {handle} in the index block");
        }

        return handle;
    }

    /// <summary>
    /// Returns the data block at <paramref name="handle"/> with one reference that the caller owns
    /// and must give back with <see cref="Block.Unref"/>: from the cache, or read from the file into
    /// native memory (verifying its checksum when the reader was opened with verifyChecksums,
    /// decompressing into native memory when needed, and caching it when <paramref name="fillCache"/>;
    /// the cache then holds a reference of its own). REQUIRES: handle came from <see cref="DecodeIndexValue"/>.
    /// </summary>
    internal Block ReadDataBlock(BlockHandle handle, bool fillCache)
    {
        if (_cache is not null && _cache.TryGet(FileNumber, handle.Offset, out var cached))
        {
            return cached;
        }

        var block = ReadNativeBlock(handle);
        if (fillCache)
        {
            _cache?.Insert(FileNumber, handle.Offset, block);
        }

        return block;
    }

    // Reads a data block and its trailer straight into native memory (no managed array per read);
    // checks the checksum when asked; decompresses into a second native buffer and frees the first.
    private unsafe Block ReadNativeBlock(BlockHandle handle)
    {
        int size = (int)handle.Size;
        int total = size + TableFormat.BlockTrailerSize;
        byte* buffer = Block.AllocateNative(total);
        bool owned = false;
        try
        {
            var bytes = new Span<byte>(buffer, total);
            ReadExactly(_file, bytes, handle.Offset, Path);
            byte type = bytes[size];
            if (_verifyChecksums)
            {
                uint expected = Crc32C.Unmask(Coding.GetFixed32(bytes[(size + 1)..]));
                if (Crc32C.Compute(bytes[..(size + 1)]) != expected)
                {
                    throw new CorruptionException(Path, handle.Offset, $"block checksum mismatch in block {handle}");
                }
            }

            if (type == (byte)BlockCompression.None)
            {
                owned = true; // FromNative frees it if the block is corrupt
                return Block.FromNative(buffer, total, size, Path, handle.Offset);
            }

            var contents = bytes[..size];
            int rawLength = BlockCompressor.UncompressedLength(contents, out int prefix, Path, handle.Offset);
            byte* raw = Block.AllocateNative(rawLength);
            try
            {
                BlockCompressor.DecompressInto((BlockCompression)type, contents, prefix, new Span<byte>(raw, rawLength), Path, handle.Offset);
            }
            catch
            {
                Block.FreeNative(raw);
                throw;
            }

            return Block.FromNative(raw, rawLength, rawLength, Path, handle.Offset);
        }
        finally
        {
            if (!owned)
            {
                Block.FreeNative(buffer);
            }
        }
    }

    // Reads a block and its trailer; checks the checksum when asked; decompresses.
    // Returns the contents as an array segment.
    private static (byte[] Data, int Offset, int Length) ReadContents(SafeFileHandle file, BlockHandle handle, bool verifyChecksum, string path)
    {
        int size = (int)handle.Size;
        var buffer = new byte[size + TableFormat.BlockTrailerSize];
        ReadExactly(file, buffer, handle.Offset, path);
        byte type = buffer[size];
        if (verifyChecksum)
        {
            uint expected = Crc32C.Unmask(Coding.GetFixed32(buffer.AsSpan(size + 1)));
            if (Crc32C.Compute(buffer.AsSpan(0, size + 1)) != expected)
            {
                throw new CorruptionException(path, handle.Offset, $"block checksum mismatch in block {handle}");
            }
        }

        if (type == (byte)BlockCompression.None)
        {
            return (buffer, 0, size);
        }

        var raw = BlockCompressor.Decompress((BlockCompression)type, buffer, 0, size, path, handle.Offset);
        return (raw, 0, raw.Length);
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(file, buffer[done..], offset + done);
            if (n == 0)
            {
                throw new CorruptionException(path, offset + done, $"table truncated: wanted {buffer.Length} bytes at {offset}");
            }

            done += n;
        }
    }

    private static void CheckHandle(BlockHandle handle, long limit, string path, string what)
    {
        if (handle.Offset < 0 || handle.Size < 0 || handle.End > limit)
        {
            throw new CorruptionException(path, limit, $"{what} block handle {handle} is outside the table");
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_dataEnd <= FileSize - TableFormat.FooterSize, "data blocks overlap the footer");
        Debug.Assert(_filter is null || _filterLength <= _filter.Length, "filter length past its array");
    }

    private sealed class GetScratch
    {
        public BlockIterator Index { get; } = new();

        public BlockIterator Data { get; } = new();
    }
}
