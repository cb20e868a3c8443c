using System.Buffers.Binary;
using System.Numerics;

namespace ActorLsm.Storage.Util;

/// <summary>
/// CRC-32C (Castagnoli) over byte spans, using <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// (hardware instructions where available). System.IO.Hashing is not available to this project.
/// Stored checksums are masked as LevelDB does (util/crc32c.h): a CRC of data that itself holds
/// CRCs is then not trivially related to them. The mask is part of every on-disk format.
/// </summary>
internal static class Crc32C
{
    /// <summary>Format constant: the value added after rotating, as in LevelDB.</summary>
    private const uint MaskDelta = 0xa282ead8u;

    /// <summary>Extends <paramref name="crc"/> (0 to start) over <paramref name="data"/>.</summary>
    public static uint Extend(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        while (data.Length >= 8)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (data.Length >= 4)
        {
            c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }

        foreach (byte b in data)
        {
            c = BitOperations.Crc32C(c, b);
        }

        return ~c;
    }

    /// <summary>CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Extend(0, data);

    /// <summary>Masks a CRC for storage (rotate right 15 bits, add a constant).</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;

    /// <summary>Inverse of <see cref="Mask"/>.</summary>
    public static uint Unmask(uint masked)
    {
        uint rot = masked - MaskDelta;
        return (rot >> 17) | (rot << 15);
    }
}
