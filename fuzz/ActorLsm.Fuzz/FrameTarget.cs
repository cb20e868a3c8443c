using System.Buffers;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Fuzz;

/// <summary>
/// The client protocol's decoder as a node and a client run it: <see cref="FrameCodec.TryReadFrame"/> in a
/// loop over the received bytes, each body parsed as a <see cref="Request"/> (the node) and as a
/// <see cref="Response"/> (the client). Input: one control byte (the socket read size: 0 = everything at
/// once, else 1..255 bytes per segment), then the byte stream.
/// </summary>
/// <remarks>
/// Documented errors, not findings: <see cref="FrameTooLargeException"/> (a length prefix over the limit) and
/// <see cref="MalformedFrameException"/> (a body that does not parse). Findings: any other exception;
/// a false TryReadFrame that consumed bytes, or a true one that did not consume header plus body; a parsed
/// message that does not survive a re-encode and parse; more than 1 MiB plus 256 bytes per input byte allocated.
/// </remarks>
internal static class FrameTarget
{
    /// <summary>Largest body accepted: small, so that the limit is reached by short inputs too.</summary>
    public const int MaxFrameSize = 64 * 1024;

    /// <summary>Inputs run once before fuzzing.</summary>
    public static IEnumerable<byte[]> WarmUp => Seeds.Frames().Select(s => s.Bytes);

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReadOnlySequence<byte> buffer = Segments.Split(input.AsMemory(1), input[0]);
        while (true)
        {
            long remaining = buffer.Length;
            ReadOnlySequence<byte> body;
            try
            {
                if (!FrameCodec.TryReadFrame(ref buffer, MaxFrameSize, out body))
                {
                    if (buffer.Length != remaining)
                    {
                        throw new FuzzFindingException($"TryReadFrame returned false but consumed {remaining - buffer.Length} bytes");
                    }

                    break;
                }
            }
            catch (FrameTooLargeException)
            {
                break;
            }

            if (buffer.Length != remaining - FrameCodec.HeaderSize - body.Length || body.Length > MaxFrameSize)
            {
                throw new FuzzFindingException($"TryReadFrame took a body of {body.Length} bytes but consumed {remaining - buffer.Length}");
            }

            try
            {
                RoundTrip(FrameCodec.ParseRequest(body), Request.Parser);
            }
            catch (MalformedFrameException)
            {
                // The documented error: the node answers MALFORMED_FRAME and closes.
            }

            try
            {
                RoundTrip(FrameCodec.ParseResponse(body), Response.Parser);
            }
            catch (MalformedFrameException)
            {
                // The documented error: the client fails the connection.
            }
        }

        Segments.CheckAllocation(before, (1 << 20) + (256L * input.Length), "decoding");
    }

    // A decoded message must encode and decode to an equal message (what a node echoes or forwards).
    private static void RoundTrip<T>(T message, MessageParser<T> parser)
        where T : IMessage<T>
    {
        byte[] encoded = message.ToByteArray();
        if (encoded.Length != message.CalculateSize())
        {
            throw new FuzzFindingException($"{typeof(T).Name}: CalculateSize {message.CalculateSize()} but {encoded.Length} bytes written");
        }

        T again = parser.ParseFrom(encoded);
        if (!again.Equals(message))
        {
            throw new FuzzFindingException($"{typeof(T).Name} changed in a re-encode: {Convert.ToHexString(encoded)}");
        }
    }
}
