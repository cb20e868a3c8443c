using System.Buffers.Binary;
using System.Numerics;

namespace ActorLsm.Persistence.Layout;

/// <summary>CRC-32C (Castagnoli polynomial, reflected, init and final xor 0xFFFFFFFF) of the records of FORMAT.md.</summary>
internal static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/> ("123456789" gives 0xE3069283).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
