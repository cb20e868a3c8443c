using System.Diagnostics;
using ActorLsm.Storage.FileSystem;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Writes one SSTable (LevelDB's TableBuilder; layout in FORMAT.md): data blocks, a whole-table
/// bloom filter block, a properties block, an index block with one shortened separator key per
/// data block, and the fixed footer. Entries arrive in strictly increasing internal-key order.
/// Buffers are reused, so <see cref="Add"/> allocates nothing in steady state. Not thread-safe.
/// Disposing an unfinished builder abandons (deletes) the file.
/// </summary>
internal sealed class TableBuilder : IDisposable
{
    private const int FileBufferSize = 1 << 16;

    private readonly string _path;
    private readonly TableBuilderOptions _options;
    private readonly WritableFile _file;
    private readonly IFileSystem _fs;
    private readonly BlockBuilder _dataBlock;
    private readonly BlockBuilder _indexBlock = new(TableFormat.IndexRestartInterval);
    private readonly BloomFilterBuilder? _filter;
    private readonly BlockCompressor? _compressor;
    private long _offset;
    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength;
    private byte[] _separator = new byte[64];
    private bool _pendingIndexEntry;
    private BlockHandle _pendingHandle;
    private byte[] _smallestKey = [];
    private long _entryCount;
    private long _tombstoneCount;
    private long _rawKeyBytes;
    private long _rawValueBytes;
    private long _dataBlockCount;
    private ulong _smallestSequence = ulong.MaxValue;
    private ulong _largestSequence;
    private bool _closed;

    /// <summary>
    /// Creates (or truncates) the table file at <paramref name="path"/>.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a block size &lt; 1, restart interval
    /// &lt; 1 or negative bloom bits, and the usual I/O exceptions.
    /// </summary>
    /// <param name="path">The table file.</param>
    /// <param name="options">Block size, restart interval, bloom bits and compression.</param>
    /// <param name="fileSystem">Where the file is written; null for <see cref="DefaultFileSystem"/>.</param>
    public TableBuilder(string path, TableBuilderOptions options, IFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BloomBitsPerKey);
        _path = path;
        _options = options;
        _dataBlock = new BlockBuilder(options.RestartInterval);
        _filter = options.BloomBitsPerKey > 0 ? new BloomFilterBuilder(options.BloomBitsPerKey) : null;
        _compressor = options.Compression != BlockCompression.None ? new BlockCompressor() : null;
        _fs = fileSystem ?? DefaultFileSystem.Instance;
        _file = _fs.OpenWritable(path, truncate: true, FileBufferSize);
    }

    /// <summary>Bytes written so far plus the size of the data block being built.</summary>
    public long FileSize => _offset + (_dataBlock.IsEmpty ? 0 : _dataBlock.CurrentSizeEstimate);

    /// <summary>Entries added so far.</summary>
    public long EntryCount => _entryCount;

    /// <summary>The internal key added last. REQUIRES: EntryCount &gt; 0.</summary>
    public ReadOnlySpan<byte> LastKey => _lastKey.AsSpan(0, _lastKeyLength);

    /// <summary>
    /// Appends an entry. REQUIRES: <paramref name="internalKey"/> sorts strictly after the previous
    /// key (else <see cref="ArgumentException"/>); not finished or abandoned.
    /// </summary>
    public void Add(ReadOnlySpan<byte> internalKey, ReadOnlySpan<byte> value)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!InternalKey.IsWellFormed(internalKey))
        {
            throw new ArgumentException($"not an internal key: {InternalKey.Describe(internalKey)}", nameof(internalKey));
        }

        if (_entryCount > 0 && InternalKey.Compare(internalKey, LastKey) <= 0)
        {
            throw new ArgumentException(
                $"keys out of order: {InternalKey.Describe(internalKey)} after {InternalKey.Describe(LastKey)}", nameof(internalKey));
        }

        if (_pendingIndexEntry)
        {
            int n = KeyShortening.Separator(LastKey, internalKey, ref _separator);
            AddIndexEntry(_separator.AsSpan(0, n), _pendingHandle);
            _pendingIndexEntry = false;
        }

        _filter?.AddKey(InternalKey.UserKey(internalKey));
        _dataBlock.Add(internalKey, value);

        if (_entryCount == 0)
        {
            _smallestKey = internalKey.ToArray();
        }

        ulong trailer = InternalKey.Trailer(internalKey);
        ulong sequence = trailer >> 8;
        _smallestSequence = Math.Min(_smallestSequence, sequence);
        _largestSequence = Math.Max(_largestSequence, sequence);
        if ((ValueKind)(byte)trailer == ValueKind.Delete)
        {
            _tombstoneCount++;
        }

        _entryCount++;
        _rawKeyBytes += internalKey.Length;
        _rawValueBytes += value.Length;
        if (_lastKey.Length < internalKey.Length)
        {
            _lastKey = new byte[Math.Max(internalKey.Length, _lastKey.Length * 2)];
        }

        internalKey.CopyTo(_lastKey);
        _lastKeyLength = internalKey.Length;

        if (_dataBlock.CurrentSizeEstimate >= _options.BlockSize)
        {
            FlushDataBlock();
        }

        AssertInvariants();
    }

    /// <summary>
    /// Writes the last data block, the filter, properties and index blocks and the footer, fsyncs
    /// and closes the file, and returns the table's properties. The file size is then
    /// <see cref="FileSize"/>. On an I/O error the caller should <see cref="Abandon"/>.
    /// </summary>
    public TableProperties Finish()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        FlushDataBlock();
        if (_pendingIndexEntry)
        {
            int n = KeyShortening.Successor(LastKey, ref _separator);
            AddIndexEntry(_separator.AsSpan(0, n), _pendingHandle);
            _pendingIndexEntry = false;
        }

        // No filter: a zero-size handle at the end of the data blocks and no bytes on disk.
        var filterHandle = new BlockHandle(_offset, 0);
        if (_filter is not null)
        {
            filterHandle = WriteRawBlock(_filter.Finish(), BlockCompression.None);
        }

        var index = _indexBlock.Finish();
        var properties = new TableProperties
        {
            EntryCount = _entryCount,
            TombstoneCount = _tombstoneCount,
            SmallestKey = _smallestKey,
            LargestKey = _entryCount == 0 ? [] : LastKey.ToArray(),
            SmallestSequence = _entryCount == 0 ? 0 : _smallestSequence,
            LargestSequence = _largestSequence,
            RawKeyBytes = _rawKeyBytes,
            RawValueBytes = _rawValueBytes,
            DataBlockCount = _dataBlockCount,
            FilterSize = filterHandle.Size,
            IndexSize = index.Length,
            FormatVersion = TableFormat.FormatVersion,
            Compression = _options.Compression,
        };
        var propertiesHandle = WriteRawBlock(properties.Encode(), BlockCompression.None);
        var indexHandle = WriteRawBlock(index, BlockCompression.None);

        Span<byte> footer = stackalloc byte[TableFormat.FooterSize];
        new Footer(filterHandle, propertiesHandle, indexHandle, TableFormat.FormatVersion).EncodeTo(footer);
        _file.Write(footer);
        _offset += footer.Length;

        _file.Sync();
        _file.Dispose();
        _closed = true;
        return properties;
    }

    /// <summary>Closes and deletes the file (also after <see cref="Finish"/>). Safe to call twice.</summary>
    public void Abandon()
    {
        _closed = true;
        _file.Dispose();
        _fs.Delete(_path);
    }

    /// <summary>Abandons the file unless <see cref="Finish"/> or <see cref="Abandon"/> already ran.</summary>
    public void Dispose()
    {
        if (!_closed)
        {
            Abandon();
        }
    }

    private void FlushDataBlock()
    {
        if (_dataBlock.IsEmpty)
        {
            return;
        }

        Debug.Assert(!_pendingIndexEntry, "the previous block's index entry is still pending");
        _pendingHandle = WriteBlock(_dataBlock.Finish(), _options.Compression);
        _pendingIndexEntry = true;
        _dataBlock.Reset();
        _dataBlockCount++;
    }

    private void AddIndexEntry(ReadOnlySpan<byte> separator, BlockHandle handle)
    {
        Span<byte> encoded = stackalloc byte[BlockHandle.MaxEncodedLength];
        int n = handle.EncodeTo(encoded);
        _indexBlock.Add(separator, encoded[..n]);
    }

    // Writes a data block, compressed when that saves at least 12.5%.
    private BlockHandle WriteBlock(ReadOnlySpan<byte> raw, BlockCompression codec)
    {
        if (_compressor is not null && codec != BlockCompression.None)
        {
            var compressed = _compressor.TryCompress(codec, raw);
            if (!compressed.IsEmpty)
            {
                return WriteRawBlock(compressed, codec);
            }
        }

        return WriteRawBlock(raw, BlockCompression.None);
    }

    // Writes contents ++ trailer (type, masked CRC32C of contents ++ type).
    private BlockHandle WriteRawBlock(ReadOnlySpan<byte> contents, BlockCompression type)
    {
        var handle = new BlockHandle(_offset, contents.Length);
        Span<byte> trailer = stackalloc byte[TableFormat.BlockTrailerSize];
        trailer[0] = (byte)type;
        uint crc = Crc32C.Extend(Crc32C.Compute(contents), trailer[..1]);
        Coding.PutFixed32(trailer[1..], Crc32C.Mask(crc));
        _file.Write(contents);
        _file.Write(trailer);
        _offset += contents.Length + TableFormat.BlockTrailerSize;
        return handle;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entryCount == 0 || _smallestSequence <= _largestSequence, "sequence range inverted");
        Debug.Assert(_tombstoneCount <= _entryCount, "more tombstones than entries");
        Debug.Assert(_offset >= 0, "negative file offset");
    }
}
