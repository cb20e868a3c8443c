using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace ActorLsm.Protocol;

/// <summary>
/// Length-prefixed framing of Protobuf messages (PROTOCOL.md): each frame is a 4-byte big-endian
/// length followed by that many bytes of one <see cref="Request"/> or <see cref="Response"/>.
/// </summary>
public static class FrameCodec
{
    /// <summary>Format constant: bytes of the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>Default largest frame body a node or client accepts: 16 MiB.</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>
    /// Takes one complete frame body off the front of <paramref name="buffer"/>. Returns false
    /// when more bytes are needed.
    /// </summary>
    /// <exception cref="FrameTooLargeException">The announced length exceeds <paramref name="maxFrameSize"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> body)
    {
        body = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > (uint)maxFrameSize)
        {
            throw new FrameTooLargeException(length, maxFrameSize);
        }

        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        body = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Writes <paramref name="message"/> as one frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, IMessage message) => WriteFrame(writer, message, message.CalculateSize());

    /// <summary>
    /// Writes <paramref name="message"/> as one frame whose body is <paramref name="size"/> bytes, for a
    /// caller that already computed <c>message.CalculateSize()</c> (to check it against a limit, say).
    /// </summary>
    public static void WriteFrame(IBufferWriter<byte> writer, IMessage message, int size)
    {
        Span<byte> header = writer.GetSpan(HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)size);
        writer.Advance(HeaderSize);
        message.WriteTo(writer);
    }

    /// <summary>Parses a request body.</summary>
    /// <exception cref="MalformedFrameException">The body is not a <see cref="Request"/>.</exception>
    public static Request ParseRequest(in ReadOnlySequence<byte> body) => Parse(Request.Parser, Request.Descriptor, body);

    /// <summary>Parses a response body.</summary>
    /// <exception cref="MalformedFrameException">The body is not a <see cref="Response"/>.</exception>
    public static Response ParseResponse(in ReadOnlySequence<byte> body) => Parse(Response.Parser, Response.Descriptor, body);

    // Google.Protobuf reports most bad input as InvalidProtocolBufferException, but not all. Fuzzing found that
    // 3.26.1's limit arithmetic overflows for a nested length near int.MaxValue, after which it fails with
    // ArgumentOutOfRangeException or IndexOutOfRangeException, or first allocates an array of that length
    // (inputs in tests/ActorLsm.Protocol.Tests). WireCheck refuses such lengths before the parser sees them;
    // any other failure of the parser (it reads only the body's bytes) also means the body is malformed.
    private static T Parse<T>(MessageParser<T> parser, Google.Protobuf.Reflection.MessageDescriptor descriptor, in ReadOnlySequence<byte> body)
        where T : IMessage<T>
    {
        if (WireCheck.Check(body, descriptor) is { } problem)
        {
            throw new MalformedFrameException($"the frame body is not a {typeof(T).Name}: {problem}");
        }

        try
        {
            return parser.ParseFrom(body);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new MalformedFrameException($"the frame body is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// A frame body did not parse as the message it should hold (PROTOCOL.md: MALFORMED_FRAME). The inner exception
/// is the parser's (usually <see cref="InvalidProtocolBufferException"/>).
/// </summary>
public sealed class MalformedFrameException : Exception
{
    public MalformedFrameException()
    {
    }

    public MalformedFrameException(string message)
        : base(message)
    {
    }

    public MalformedFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A frame announced a body larger than the receiver accepts.</summary>
public sealed class FrameTooLargeException : Exception
{
    public FrameTooLargeException()
    {
    }

    public FrameTooLargeException(string message)
        : base(message)
    {
    }

    public FrameTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FrameTooLargeException(uint length, int limit)
        : base($"frame of {length} bytes exceeds the limit of {limit} bytes")
    {
        Length = length;
        Limit = limit;
    }

    /// <summary>The announced body length in bytes.</summary>
    public uint Length { get; }

    /// <summary>The receiver's limit in bytes.</summary>
    public int Limit { get; }
}
