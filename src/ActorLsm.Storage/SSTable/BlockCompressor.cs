using System.IO.Compression;
using ActorLsm.Storage.Util;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Compresses and decompresses block contents with the codecs of <see cref="BlockCompression"/>.
/// A compressed block is <c>varint32 uncompressed_length ++ codec stream</c> (FORMAT.md, "Block
/// trailer"); Deflate is raw DEFLATE at the fastest level, Brotli is quality 1, window 22, LZ4 is
/// one LZ4 block (K4os.Compression.LZ4, fast level, as RocksDB's default LZ4 acceleration 1), and
/// Zstd is one Zstandard frame at level 3 (ZstdSharp, zstd's and RocksDB's default level).
/// An instance keeps reusable output buffers (Zstandard contexts are per thread); one per <see cref="TableBuilder"/>.
/// </summary>
internal sealed class BlockCompressor
{
    /// <summary>Largest uncompressed block a reader accepts (a corrupt length must not allocate gigabytes).</summary>
    public const int MaxUncompressedLength = 256 * 1024 * 1024;

    private const int BrotliQuality = 1;
    private const int BrotliWindow = 22;

    /// <summary>Zstandard level: zstd's default, which RocksDB uses unless told otherwise.</summary>
    private const int ZstdLevel = 3;

    /// <summary>One decompression context per thread: contexts are not thread-safe and are costly to create.</summary>
    [ThreadStatic]
    private static Decompressor? s_zstdDecompressor;

    /// <summary>One compression context per thread (flush and compaction threads), reused across table builders.</summary>
    [ThreadStatic]
    private static Compressor? s_zstdCompressor;

    private byte[] _output = new byte[8192];
    private MemoryStream? _deflateOutput;

    /// <summary>
    /// Compresses <paramref name="raw"/> with <paramref name="codec"/>. Returns the compressed
    /// contents (valid until the next call) when they are at least 12.5% smaller than the raw
    /// block, else an empty span: the caller then stores the block uncompressed.
    /// REQUIRES: codec != None.
    /// </summary>
    public ReadOnlySpan<byte> TryCompress(BlockCompression codec, ReadOnlySpan<byte> raw)
    {
        int worthIt = raw.Length - (raw.Length / 8);
        int prefix = Coding.VarintLength((ulong)raw.Length);
        int length;
        switch (codec)
        {
            case BlockCompression.Brotli:
                EnsureOutput(prefix + BrotliEncoder.GetMaxCompressedLength(raw.Length));
                Coding.PutVarint32(_output, (uint)raw.Length);
                if (!BrotliEncoder.TryCompress(raw, _output.AsSpan(prefix), out int written, BrotliQuality, BrotliWindow))
                {
                    return default;
                }

                length = prefix + written;
                break;

            case BlockCompression.Lz4:
                EnsureOutput(prefix + LZ4Codec.MaximumOutputSize(raw.Length));
                Coding.PutVarint32(_output, (uint)raw.Length);
                int lz4Written = LZ4Codec.Encode(raw, _output.AsSpan(prefix), LZ4Level.L00_FAST);
                if (lz4Written <= 0)
                {
                    return default;
                }

                length = prefix + lz4Written;
                break;

            case BlockCompression.Zstd:
                EnsureOutput(prefix + Compressor.GetCompressBound(raw.Length));
                Coding.PutVarint32(_output, (uint)raw.Length);
                s_zstdCompressor ??= new Compressor(ZstdLevel);
                if (!s_zstdCompressor.TryWrap(raw, _output.AsSpan(prefix), out int zstdWritten))
                {
                    return default;
                }

                length = prefix + zstdWritten;
                break;

            case BlockCompression.Deflate:
                _deflateOutput ??= new MemoryStream();
                _deflateOutput.SetLength(0);
                Span<byte> header = stackalloc byte[Coding.MaxVarint32Length];
                _deflateOutput.Write(header[..Coding.PutVarint32(header, (uint)raw.Length)]);
                using (var deflate = new DeflateStream(_deflateOutput, CompressionLevel.Fastest, leaveOpen: true))
                {
                    deflate.Write(raw);
                }

                length = (int)_deflateOutput.Length;
                EnsureOutput(length);
                _deflateOutput.GetBuffer().AsSpan(0, length).CopyTo(_output);
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "no codec for this compression type");
        }

        return length < worthIt ? _output.AsSpan(0, length) : default;
    }

    /// <summary>
    /// Decompresses <paramref name="length"/> bytes of <paramref name="source"/> at
    /// <paramref name="offset"/> into a new array of exactly the uncompressed length. Throws
    /// <see cref="CorruptionException"/> (naming <paramref name="path"/>, <paramref name="fileOffset"/>)
    /// when the stream is bad or the codec unknown.
    /// </summary>
    public static byte[] Decompress(BlockCompression codec, byte[] source, int offset, int length, string path, long fileOffset)
    {
        var contents = source.AsSpan(offset, length);
        int rawLength = UncompressedLength(contents, out int prefix, path, fileOffset);
        var raw = new byte[rawLength];
        DecompressInto(codec, contents, prefix, raw, path, fileOffset);
        return raw;
    }

    /// <summary>
    /// Reads the uncompressed length that prefixes compressed <paramref name="contents"/> and the
    /// prefix's size in bytes. Throws <see cref="CorruptionException"/> when the prefix is bad or
    /// the length exceeds <see cref="MaxUncompressedLength"/>.
    /// </summary>
    public static int UncompressedLength(ReadOnlySpan<byte> contents, out int prefix, string path, long fileOffset)
    {
        prefix = Coding.GetVarint32(contents, out uint rawLength);
        if (prefix == 0 || rawLength > MaxUncompressedLength)
        {
            throw new CorruptionException(path, fileOffset, "bad uncompressed length of a compressed block");
        }

        return (int)rawLength;
    }

    /// <summary>
    /// Decompresses <paramref name="contents"/> (whose first <paramref name="prefix"/> bytes are
    /// the length prefix) into <paramref name="destination"/>, which may be native memory.
    /// REQUIRES: destination.Length == <see cref="UncompressedLength"/> of contents. Throws
    /// <see cref="CorruptionException"/> when the stream is bad, does not fill the destination
    /// exactly, or the codec is unknown.
    /// </summary>
    public static unsafe void DecompressInto(
        BlockCompression codec, ReadOnlySpan<byte> contents, int prefix, Span<byte> destination, string path, long fileOffset)
    {
        var stream = contents[prefix..];
        try
        {
            switch (codec)
            {
                case BlockCompression.Brotli:
                    if (!BrotliDecoder.TryDecompress(stream, destination, out int written) || written != destination.Length)
                    {
                        throw new CorruptionException(path, fileOffset, "bad Brotli block");
                    }

                    break;

                case BlockCompression.Lz4:
                    if (LZ4Codec.Decode(stream, destination) != destination.Length)
                    {
                        throw new CorruptionException(path, fileOffset, "bad LZ4 block");
                    }

                    break;

                case BlockCompression.Zstd:
                    Decompressor zstd = s_zstdDecompressor ??= new Decompressor();
                    if (!zstd.TryUnwrap(stream, destination, out int zstdWritten) || zstdWritten != destination.Length)
                    {
                        throw new CorruptionException(path, fileOffset, "bad Zstandard block");
                    }

                    break;

                case BlockCompression.Deflate:
                    fixed (byte* p = stream)
                    {
                        using var input = new UnmanagedMemoryStream(p, stream.Length);
                        using var deflate = new DeflateStream(input, CompressionMode.Decompress);
                        deflate.ReadExactly(destination);
                    }

                    break;

                default:
                    throw new CorruptionException(path, fileOffset, $"unknown block compression type {(byte)codec}");
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptionException($"corruption in {path} at offset {fileOffset}: bad {codec} block", e);
        }
        catch (ZstdException e)
        {
            throw new CorruptionException($"corruption in {path} at offset {fileOffset}: bad {codec} block", e);
        }
        catch (EndOfStreamException e)
        {
            throw new CorruptionException($"corruption in {path} at offset {fileOffset}: truncated {codec} block", e);
        }
    }

    private void EnsureOutput(int size)
    {
        if (_output.Length < size)
        {
            _output = new byte[Math.Max(size, _output.Length * 2)];
        }
    }
}
