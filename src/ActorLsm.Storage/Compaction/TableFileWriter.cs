using ActorLsm.Storage.Iterators;
using ActorLsm.Storage.Keys;
using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tables;

namespace ActorLsm.Storage.Compactions;

/// <summary>
/// Writes SSTables from sorted internal-key streams: the whole of a memtable for a flush, or a
/// compaction's output cut into files (LevelDB's BuildTable and compaction outputs).
/// </summary>
internal static class TableFileWriter
{
    /// <summary>
    /// Builder settings for an SSTable at <paramref name="level"/> (0 for flushes), with the codec
    /// <see cref="LsmOptions.CompressionForLevel"/> picks. REQUIRES: level &gt;= 0.
    /// </summary>
    public static TableBuilderOptions BuilderOptions(LsmOptions options, int level = 0, bool bottommost = false) => new()
    {
        BlockSize = options.BlockSize,
        RestartInterval = options.BlockRestartInterval,
        BloomBitsPerKey = options.BloomBitsPerKey,
        Compression = options.CompressionForLevel(level, bottommost),
    };

    /// <summary>
    /// Writes every entry of <paramref name="source"/> to SSTable <paramref name="number"/>.
    /// Returns null (and leaves no file) when the source is empty.
    /// </summary>
    public static FileMetadata? WriteAll(string dir, ulong number, IInternalIterator source, LsmOptions options)
    {
        source.SeekToFirst();
        if (!source.Valid)
        {
            return null;
        }

        string path = FileNames.Table(dir, number);
        var builder = new TableBuilder(path, BuilderOptions(options), options.FileSystem);
        try
        {
            for (; source.Valid; source.Next())
            {
                builder.Add(source.Key, source.Value);
            }

            return Finish(path, number, builder);
        }
        catch
        {
            builder.Abandon();
            throw;
        }
    }

    /// <summary>Finishes <paramref name="builder"/> (fsync included) and describes the file for the manifest.</summary>
    public static FileMetadata Finish(string path, ulong number, TableBuilder builder)
    {
        TableProperties props = builder.Finish();
        builder.Dispose();
        long size = new FileInfo(path).Length;
        return new FileMetadata(number, size, props.SmallestKey, props.LargestKey, props.SmallestSequence, props.LargestSequence);
    }

    /// <summary>True when the internal keys have the same user key.</summary>
    public static bool SameUserKey(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        InternalKey.UserKey(a).SequenceEqual(InternalKey.UserKey(b));
}
