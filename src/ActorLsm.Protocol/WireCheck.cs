using System.Buffers;
using Google.Protobuf.Reflection;

namespace ActorLsm.Protocol;

/// <summary>
/// A walk over a Protobuf body, before Google.Protobuf parses it, that checks what its parser trusts: every
/// length-delimited field (known or unknown, at any depth) fits in the message that holds it. Needed because
/// Google.Protobuf 3.26.1 adds a declared length to the read position in 32-bit arithmetic: a length near
/// int.MaxValue overflows its limit check, and the parser then reads past the message, throws untyped
/// exceptions, or allocates arrays of the declared length (2 GiB from a 42-byte frame; found by fuzzing,
/// deploy/fuzz.sh). Nested messages are known from the descriptor, so a bytes field's contents are never
/// taken for a message.
/// </summary>
internal static class WireCheck
{
    // Deeper than any message of this protocol nests.
    private const int MaxDepth = 32;

    /// <summary>Null when the body's framing is sound for <paramref name="descriptor"/>; else what is wrong.</summary>
    public static string? Check(in ReadOnlySequence<byte> body, MessageDescriptor descriptor)
    {
        var reader = new SequenceReader<byte>(body);
        return CheckMessage(ref reader, body.Length, descriptor, 0);
    }

    // REQUIRES: end >= reader.Consumed. On success the reader stands at end.
    private static string? CheckMessage(ref SequenceReader<byte> reader, long end, MessageDescriptor? descriptor, int depth)
    {
        if (depth > MaxDepth)
        {
            return "messages nest too deeply";
        }

        while (reader.Consumed < end)
        {
            if (!TryReadVarint(ref reader, end, out ulong tag) || tag > uint.MaxValue || tag >> 3 == 0)
            {
                return "a field tag is malformed";
            }

            int number = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!TryReadVarint(ref reader, end, out _))
                    {
                        return $"field {number}: a varint is malformed or cut short";
                    }

                    break;
                case 1:
                case 5:
                    int size = (tag & 7) == 1 ? 8 : 4;
                    if (end - reader.Consumed < size)
                    {
                        return $"field {number}: a fixed-size value is cut short";
                    }

                    reader.Advance(size);
                    break;
                case 2:
                    if (!TryReadVarint(ref reader, end, out ulong length) || length > (ulong)(end - reader.Consumed))
                    {
                        return $"field {number}: its length is malformed or exceeds the {end - reader.Consumed} bytes left in its message";
                    }

                    FieldDescriptor? field = descriptor?.FindFieldByNumber(number);
                    if (field is { FieldType: FieldType.Message })
                    {
                        if (CheckMessage(ref reader, reader.Consumed + (long)length, field.MessageType, depth + 1) is { } inner)
                        {
                            return inner;
                        }
                    }
                    else
                    {
                        reader.Advance((long)length);
                    }

                    break;
                default:
                    return $"field {number}: wire type {tag & 7} is not used by this protocol";
            }
        }

        return reader.Consumed == end ? null : "a field runs past the end of its message";
    }

    // A varint of at most 10 bytes, all before end.
    private static bool TryReadVarint(ref SequenceReader<byte> reader, long end, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (reader.Consumed >= end || !reader.TryRead(out byte b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
