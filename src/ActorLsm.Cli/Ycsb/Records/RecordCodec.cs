using System.Buffers.Binary;
using System.Text;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// One YCSB record (an ordered list of named fields) stored as ONE value:
/// <code>
/// record := count:uint16-le field{count}
/// field  := nameLength:uint16-le name:UTF-8[nameLength] valueLength:uint32-le value[valueLength]
/// </code>
/// With the defaults (10 fields <c>field0..field9</c> of 100 bytes) a record is 2 + 10 × (2 + 6 + 4 + 100) = 1122 bytes.
/// Field order is kept; names are unique per record by construction (not checked on decode).
/// </summary>
internal static class RecordCodec
{
    /// <summary>Encoded size of <paramref name="fields"/>.</summary>
    public static int EncodedLength(IReadOnlyList<KeyValuePair<string, byte[]>> fields)
    {
        int length = 2;
        foreach (KeyValuePair<string, byte[]> field in fields)
        {
            length += 2 + Encoding.UTF8.GetByteCount(field.Key) + 4 + field.Value.Length;
        }

        return length;
    }

    /// <summary>Encodes <paramref name="fields"/>.</summary>
    /// <exception cref="ArgumentException">More than 65535 fields, or a name over 65535 UTF-8 bytes.</exception>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, byte[]>> fields)
    {
        if (fields.Count > ushort.MaxValue)
        {
            throw new ArgumentException($"a record holds at most {ushort.MaxValue} fields", nameof(fields));
        }

        byte[] buffer = new byte[EncodedLength(fields)];
        Span<byte> span = buffer;
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)fields.Count);
        int offset = 2;
        foreach (KeyValuePair<string, byte[]> field in fields)
        {
            int nameLength = Encoding.UTF8.GetBytes(field.Key, span[(offset + 2)..]);
            if (nameLength > ushort.MaxValue)
            {
                throw new ArgumentException($"field name over {ushort.MaxValue} bytes", nameof(fields));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)nameLength);
            offset += 2 + nameLength;
            BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)field.Value.Length);
            offset += 4;
            field.Value.CopyTo(span[offset..]);
            offset += field.Value.Length;
        }

        return buffer;
    }

    /// <summary>Decodes a record written by <see cref="Encode"/>.</summary>
    /// <exception cref="FormatException">Truncated input, trailing bytes, or a name that is not UTF-8.</exception>
    public static List<KeyValuePair<string, byte[]>> Decode(ReadOnlySpan<byte> record)
    {
        if (record.Length < 2)
        {
            throw new FormatException("record shorter than its field count");
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(record);
        var fields = new List<KeyValuePair<string, byte[]>>(count);
        int offset = 2;
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        for (int i = 0; i < count; i++)
        {
            int nameLength = ReadLength(record, ref offset, 2, i);
            string name;
            try
            {
                name = utf8.GetString(Take(record, ref offset, nameLength, i));
            }
            catch (DecoderFallbackException e)
            {
                throw new FormatException($"field {i}: name is not UTF-8", e);
            }

            int valueLength = ReadLength(record, ref offset, 4, i);
            fields.Add(new KeyValuePair<string, byte[]>(name, Take(record, ref offset, valueLength, i).ToArray()));
        }

        if (offset != record.Length)
        {
            throw new FormatException($"{record.Length - offset} trailing bytes after {count} fields");
        }

        return fields;
    }

    private static int ReadLength(ReadOnlySpan<byte> record, ref int offset, int width, int field)
    {
        ReadOnlySpan<byte> bytes = Take(record, ref offset, width, field);
        uint length = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        return length <= int.MaxValue ? (int)length : throw new FormatException($"field {field}: length {length} too large");
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> record, ref int offset, int length, int field)
    {
        if (length > record.Length - offset)
        {
            throw new FormatException($"field {field}: record truncated");
        }

        ReadOnlySpan<byte> slice = record.Slice(offset, length);
        offset += length;
        return slice;
    }
}
