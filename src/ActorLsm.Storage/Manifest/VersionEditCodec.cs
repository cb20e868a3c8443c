using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// Encodes a <see cref="VersionEdit"/> as one manifest record payload and decodes it back. The
/// layout is LevelDB's tagged form (version_edit.cc): a sequence of fields, each a varint32 tag
/// followed by that tag's values, in any order, with later scalar fields overriding earlier ones.
/// The tags and value layouts are in Manifest/FORMAT.md; the new-file field carries the file's
/// sequence-number range, so it has its own tag instead of LevelDB's 7.
/// </summary>
internal static class VersionEditCodec
{
    /// <summary>Format constant: tag of the WAL number below which logs are obsolete (varint64).</summary>
    public const uint TagLogNumber = 2;

    /// <summary>Format constant: tag of the next file number (varint64).</summary>
    public const uint TagNextFileNumber = 3;

    /// <summary>Format constant: tag of the last sequence number (varint64).</summary>
    public const uint TagLastSequence = 4;

    /// <summary>Format constant: tag of a compact pointer (varint32 level, length-prefixed internal key).</summary>
    public const uint TagCompactPointer = 5;

    /// <summary>Format constant: tag of a deleted file (varint32 level, varint64 file number).</summary>
    public const uint TagDeletedFile = 6;

    /// <summary>
    /// Format constant: tag of a new file (varint32 level, varint64 number, varint64 size,
    /// length-prefixed smallest and largest internal keys, varint64 smallest and largest sequence).
    /// </summary>
    public const uint TagNewFile = 10;

    /// <summary>Format constant: levels are 0 .. MaxLevels-1 (matches the upper bound of <see cref="LsmOptions.NumLevels"/>).</summary>
    public const int MaxLevels = 16;

    /// <summary>
    /// Encodes <paramref name="edit"/> into a new array: the scalar fields that are set, then the
    /// compact pointers, deleted files and new files in collection order.
    /// </summary>
    /// <exception cref="ArgumentException">A level is outside 0..<see cref="MaxLevels"/>-1, a key is not a well-formed internal key, a size is negative, or a sequence number exceeds <see cref="InternalKey.MaxSequence"/>.</exception>
    public static byte[] Encode(VersionEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        Validate(edit);
        var output = new byte[EncodedLength(edit)];
        Span<byte> dst = output;
        int pos = 0;
        if (edit.LogNumber is { } logNumber)
        {
            pos += Coding.PutVarint32(dst[pos..], TagLogNumber);
            pos += Coding.PutVarint64(dst[pos..], logNumber);
        }

        if (edit.NextFileNumber is { } nextFileNumber)
        {
            pos += Coding.PutVarint32(dst[pos..], TagNextFileNumber);
            pos += Coding.PutVarint64(dst[pos..], nextFileNumber);
        }

        if (edit.LastSequence is { } lastSequence)
        {
            pos += Coding.PutVarint32(dst[pos..], TagLastSequence);
            pos += Coding.PutVarint64(dst[pos..], lastSequence);
        }

        foreach (var (level, key) in edit.CompactPointers)
        {
            pos += Coding.PutVarint32(dst[pos..], TagCompactPointer);
            pos += Coding.PutVarint32(dst[pos..], (uint)level);
            pos += PutLengthPrefixed(dst[pos..], key);
        }

        foreach (var (level, fileNumber) in edit.DeletedFiles)
        {
            pos += Coding.PutVarint32(dst[pos..], TagDeletedFile);
            pos += Coding.PutVarint32(dst[pos..], (uint)level);
            pos += Coding.PutVarint64(dst[pos..], fileNumber);
        }

        foreach (var (level, file) in edit.NewFiles)
        {
            pos += Coding.PutVarint32(dst[pos..], TagNewFile);
            pos += Coding.PutVarint32(dst[pos..], (uint)level);
            pos += Coding.PutVarint64(dst[pos..], file.Number);
            pos += Coding.PutVarint64(dst[pos..], (ulong)file.Size);
            pos += PutLengthPrefixed(dst[pos..], file.Smallest);
            pos += PutLengthPrefixed(dst[pos..], file.Largest);
            pos += Coding.PutVarint64(dst[pos..], file.SmallestSequence);
            pos += Coding.PutVarint64(dst[pos..], file.LargestSequence);
        }

        if (pos != output.Length)
        {
            throw new InvalidOperationException($"version edit encoded to {pos} bytes, sized for {output.Length}");
        }

        return output;
    }

    /// <summary>
    /// Decodes one manifest record payload.
    /// </summary>
    /// <param name="record">The record payload.</param>
    /// <param name="path">The manifest file, for error messages.</param>
    /// <param name="offset">File offset of <c>record[0]</c>; errors report the offset of the bad field.</param>
    /// <exception cref="CorruptionException">An unknown or reserved tag, a truncated or overlong field, a level out of range, a malformed internal key, or an out-of-range size or sequence number.</exception>
    public static VersionEdit Decode(ReadOnlySpan<byte> record, string path, long offset)
    {
        var reader = new FieldReader(record, path, offset);
        var edit = new VersionEdit();
        while (!reader.AtEnd)
        {
            reader.MarkField();
            uint tag = reader.Varint32("tag");
            switch (tag)
            {
                case TagLogNumber:
                    edit.LogNumber = reader.Varint64("log number");
                    break;
                case TagNextFileNumber:
                    edit.NextFileNumber = reader.Varint64("next file number");
                    break;
                case TagLastSequence:
                    edit.LastSequence = reader.Sequence("last sequence");
                    break;
                case TagCompactPointer:
                    {
                        int level = reader.Level();
                        edit.CompactPointers.Add((level, reader.InternalKeyBytes("compact pointer key")));
                        break;
                    }

                case TagDeletedFile:
                    {
                        int level = reader.Level();
                        edit.DeletedFiles.Add((level, reader.Varint64("deleted file number")));
                        break;
                    }

                case TagNewFile:
                    {
                        int level = reader.Level();
                        ulong number = reader.Varint64("new file number");
                        ulong size = reader.Varint64("new file size");
                        if (size > long.MaxValue)
                        {
                            throw reader.Fail($"new file size {size} out of range");
                        }

                        byte[] smallest = reader.InternalKeyBytes("new file smallest key");
                        byte[] largest = reader.InternalKeyBytes("new file largest key");
                        ulong smallestSequence = reader.Sequence("new file smallest sequence");
                        ulong largestSequence = reader.Sequence("new file largest sequence");
                        edit.AddFile(level, new FileMetadata(number, (long)size, smallest, largest, smallestSequence, largestSequence));
                        break;
                    }

                default:
                    throw reader.Fail($"unknown version edit tag {tag}");
            }
        }

        return edit;
    }

    private static void Validate(VersionEdit edit)
    {
        static void CheckLevel(int level)
        {
            if ((uint)level >= MaxLevels)
            {
                throw new ArgumentException($"level {level} is outside 0..{MaxLevels - 1}", nameof(edit));
            }
        }

        static void CheckKey(byte[] key)
        {
            if (!InternalKey.IsWellFormed(key))
            {
                throw new ArgumentException($"not a well-formed internal key: {InternalKey.Describe(key)}", nameof(edit));
            }
        }

        static void CheckSequence(ulong sequence)
        {
            if (sequence > InternalKey.MaxSequence)
            {
                throw new ArgumentException($"sequence number {sequence} exceeds {InternalKey.MaxSequence}", nameof(edit));
            }
        }

        if (edit.LastSequence is { } lastSequence)
        {
            CheckSequence(lastSequence);
        }

        foreach (var (level, key) in edit.CompactPointers)
        {
            CheckLevel(level);
            CheckKey(key);
        }

        foreach (var (level, _) in edit.DeletedFiles)
        {
            CheckLevel(level);
        }

        foreach (var (level, file) in edit.NewFiles)
        {
            CheckLevel(level);
            CheckKey(file.Smallest);
            CheckKey(file.Largest);
            CheckSequence(file.SmallestSequence);
            CheckSequence(file.LargestSequence);
            if (file.Size < 0)
            {
                throw new ArgumentException($"file #{file.Number} has negative size {file.Size}", nameof(edit));
            }
        }
    }

    private static int EncodedLength(VersionEdit edit)
    {
        int length = 0;
        if (edit.LogNumber is { } logNumber)
        {
            length += TagLength + Coding.VarintLength(logNumber);
        }

        if (edit.NextFileNumber is { } nextFileNumber)
        {
            length += TagLength + Coding.VarintLength(nextFileNumber);
        }

        if (edit.LastSequence is { } lastSequence)
        {
            length += TagLength + Coding.VarintLength(lastSequence);
        }

        foreach (var (level, key) in edit.CompactPointers)
        {
            length += TagLength + Coding.VarintLength((uint)level) + LengthPrefixedLength(key);
        }

        foreach (var (level, fileNumber) in edit.DeletedFiles)
        {
            length += TagLength + Coding.VarintLength((uint)level) + Coding.VarintLength(fileNumber);
        }

        foreach (var (level, file) in edit.NewFiles)
        {
            length += TagLength + Coding.VarintLength((uint)level)
                + Coding.VarintLength(file.Number) + Coding.VarintLength((ulong)file.Size)
                + LengthPrefixedLength(file.Smallest) + LengthPrefixedLength(file.Largest)
                + Coding.VarintLength(file.SmallestSequence) + Coding.VarintLength(file.LargestSequence);
        }

        return length;
    }

    /// <summary>Every tag is below 128, so its varint32 takes one byte.</summary>
    private const int TagLength = 1;

    private static int LengthPrefixedLength(byte[] bytes) => Coding.VarintLength((uint)bytes.Length) + bytes.Length;

    private static int PutLengthPrefixed(Span<byte> dst, ReadOnlySpan<byte> bytes)
    {
        int n = Coding.PutVarint32(dst, (uint)bytes.Length);
        bytes.CopyTo(dst[n..]);
        return n + bytes.Length;
    }

    /// <summary>Cursor over a record payload that turns every decoding failure into a <see cref="CorruptionException"/>.</summary>
    private ref struct FieldReader
    {
        private readonly ReadOnlySpan<byte> _record;
        private readonly string _path;
        private readonly long _offset;
        private int _pos;
        private int _fieldStart;

        public FieldReader(ReadOnlySpan<byte> record, string path, long offset)
        {
            _record = record;
            _path = path;
            _offset = offset;
        }

        public readonly bool AtEnd => _pos >= _record.Length;

        /// <summary>Remembers where the current field starts, the offset errors report.</summary>
        public void MarkField() => _fieldStart = _pos;

        public readonly CorruptionException Fail(string detail) =>
            new(_path, _offset + _fieldStart, $"version edit: {detail}");

        public uint Varint32(string what)
        {
            int n = Coding.GetVarint32(_record[_pos..], out uint value);
            if (n == 0)
            {
                throw Fail($"truncated or overlong varint32 ({what})");
            }

            _pos += n;
            return value;
        }

        public ulong Varint64(string what)
        {
            int n = Coding.GetVarint64(_record[_pos..], out ulong value);
            if (n == 0)
            {
                throw Fail($"truncated or overlong varint64 ({what})");
            }

            _pos += n;
            return value;
        }

        public int Level()
        {
            uint level = Varint32("level");
            if (level >= MaxLevels)
            {
                throw Fail($"level {level} is outside 0..{MaxLevels - 1}");
            }

            return (int)level;
        }

        public ulong Sequence(string what)
        {
            ulong sequence = Varint64(what);
            if (sequence > InternalKey.MaxSequence)
            {
                throw Fail($"{what} {sequence} exceeds {InternalKey.MaxSequence}");
            }

            return sequence;
        }

        public byte[] InternalKeyBytes(string what)
        {
            uint length = Varint32(what + " length");
            if (length > (uint)(_record.Length - _pos))
            {
                throw Fail($"{what} of {length} bytes runs past the record end");
            }

            ReadOnlySpan<byte> key = _record.Slice(_pos, (int)length);
            if (!InternalKey.IsWellFormed(key))
            {
                throw Fail($"{what} is not a well-formed internal key");
            }

            _pos += (int)length;
            return key.ToArray();
        }
    }
}
