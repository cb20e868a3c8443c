using System.Diagnostics;
using ActorLsm.Storage.Util;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// A parsed, immutable block over a byte[] segment: entries followed by the restart array
/// (fixed32 offsets relative to the block start) and its fixed32 count (LevelDB's table/block.cc).
/// Shared by every reader and by the <see cref="Cache.BlockCache"/>; never mutated after creation.
/// Iterate with <see cref="BlockIterator"/>.
/// </summary>
internal sealed class Block
{
    /// <summary>
    /// Wraps <paramref name="length"/> bytes of <paramref name="data"/> at <paramref name="offset"/>.
    /// Throws <see cref="CorruptionException"/> (naming <paramref name="filePath"/> and
    /// <paramref name="fileOffset"/>) when the restart array does not fit.
    /// </summary>
    public Block(byte[] data, int offset, int length, string? filePath = null, long fileOffset = -1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, data.Length - offset);
        Data = data;
        Offset = offset;
        Length = length;
        FilePath = filePath ?? "<memory>";
        FileOffset = fileOffset;
        if (length < 4)
        {
            throw new CorruptionException(FilePath, fileOffset, $"block of {length} bytes is too short for a restart count");
        }

        uint restarts = Coding.GetFixed32(data.AsSpan(offset + length - 4));
        if (restarts > (uint)(length - 4) / 4)
        {
            throw new CorruptionException(FilePath, fileOffset, $"block restart count {restarts} does not fit in {length} bytes");
        }

        NumRestarts = (int)restarts;
        RestartsOffset = offset + length - 4 - (4 * NumRestarts);
        AssertInvariants();
    }

    /// <summary>The array holding the block (possibly with other bytes around it).</summary>
    public byte[] Data { get; }

    /// <summary>Index in <see cref="Data"/> of the first byte of the block.</summary>
    public int Offset { get; }

    /// <summary>Block contents length in bytes (entries + restart array + count; no trailer).</summary>
    public int Length { get; }

    /// <summary>Number of restart points.</summary>
    public int NumRestarts { get; }

    /// <summary>Index in <see cref="Data"/> where the restart array starts (= end of the entries).</summary>
    public int RestartsOffset { get; }

    /// <summary>The file the block came from, for error messages ("&lt;memory&gt;" when none).</summary>
    public string FilePath { get; }

    /// <summary>Offset of the block in <see cref="FilePath"/>, or -1.</summary>
    public long FileOffset { get; }

    /// <summary>Bytes this block pins in memory: what a <see cref="Cache.BlockCache"/> charges for it.</summary>
    public int MemoryCharge => Data.Length;

    /// <summary>
    /// Index in <see cref="Data"/> of the entry at restart point <paramref name="i"/>.
    /// REQUIRES: 0 &lt;= i &lt; NumRestarts. Throws <see cref="CorruptionException"/> when out of the entries.
    /// </summary>
    public int RestartPoint(int i)
    {
        uint rel = Coding.GetFixed32(Data.AsSpan(RestartsOffset + (4 * i)));
        if (rel > (uint)(RestartsOffset - Offset))
        {
            throw new CorruptionException(FilePath, FileOffset, $"restart point {i} at {rel} is past the entries");
        }

        return Offset + (int)rel;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(RestartsOffset >= Offset, "restart array starts before the block");
        Debug.Assert(RestartsOffset + (4 * NumRestarts) + 4 == Offset + Length, "restart array does not end the block");
    }
}
