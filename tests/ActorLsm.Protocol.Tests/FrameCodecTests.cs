using System.Buffers;
using ActorLsm.Fuzz;
using Google.Protobuf;

namespace ActorLsm.Protocol.Tests;

/// <summary>
/// <see cref="FrameCodec"/>: framing, and bad bodies as its one typed error. The fuzzed inputs are the
/// crash files of deploy/fuzz.sh (frame target) without their control byte.
/// </summary>
public sealed class FrameCodecTests
{
    // Fuzzing (frame target, 2026-12-02): Responses with a nested message or unknown field announced as about
    // 0x7FFFFFFF bytes long. Google.Protobuf 3.26.1's limit arithmetic overflows and it threw
    // ArgumentOutOfRangeException or IndexOutOfRangeException, which escaped the client's read loop and left
    // its pending requests waiting.
    public static TheoryData<string, byte[]> FuzzedFrames => new()
    {
        {
            "StatusResponse.ShardStatus length 0x7FFFFFFE, then an unknown field (ArgumentOutOfRangeException)",
            [
                0x00, 0x00, 0x00, 0x1E, 0x08, 0x06, 0x7A, 0x1A, 0x0A, 0x02, 0x6E, 0x31, 0x12, 0x01, 0x31, 0x18, 0x02, 0x22,
                0xFE, 0xFF, 0xFF, 0xFF, 0x07, 0x72, 0x75, 0x6E, 0x6E, 0x69, 0x6E, 0x67, 0x22, 0x02, 0x01, 0x02,
            ]
        },
        {
            "StatusResponse.ShardStatus length 0x7FFFFFFF, then a field cut short (IndexOutOfRangeException)",
            [
                0x00, 0x00, 0x00, 0x1E, 0x40, 0x06, 0x7A, 0x1A, 0x0A, 0x02, 0x6E, 0x31, 0x12, 0x01, 0x31, 0x18, 0x02, 0x22,
                0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x72, 0x00, 0x80, 0x4F, 0x69, 0x6E, 0x67, 0x22, 0x00, 0x01, 0x02,
            ]
        },
        {
            "Error with a length near int.MaxValue (IndexOutOfRangeException)",
            [
                0x00, 0x00, 0x00, 0x17, 0x08, 0x01, 0xA2, 0x01, 0xFA, 0xFF, 0xFF, 0xFF, 0x17, 0x08, 0x01, 0xA2, 0x01, 0x08,
                0x01, 0xA2, 0x01, 0x12, 0x20, 0x01, 0x12, 0x0C, 0x89,
            ]
        },
    };

    private static ReadOnlySequence<byte> BodyOf(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxFrameSize, out ReadOnlySequence<byte> body));
        Assert.True(buffer.IsEmpty);
        return body;
    }

    [Theory]
    [MemberData(nameof(FuzzedFrames))]
    public void ParseResponse_FuzzedNestedLengthNearIntMax_ThrowsMalformedFrame(string what, byte[] frame)
    {
        ReadOnlySequence<byte> body = BodyOf(frame);

        var error = Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseResponse(body));

        Assert.Contains("Response", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains("exceeds", StringComparison.Ordinal), what + ": " + error.Message);
    }

    [Theory]
    [MemberData(nameof(FuzzedFrames))]
    public void ParseRequest_FuzzedNestedLengthNearIntMax_ThrowsMalformedFrame(string what, byte[] frame)
    {
        ReadOnlySequence<byte> body = BodyOf(frame);

        var error = Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseRequest(body));

        Assert.True(error.Message.Contains("exceeds", StringComparison.Ordinal), what + ": " + error.Message);
    }

    [Fact]
    public void ParseRequest_UnknownFieldOfLengthNearIntMaxInsideABody_ThrowsMalformedFrame()
    {
        // Request { request_id = 1, get = { key = "k", <field 7, 0x7FFFFFFE bytes announced>, 'x' } }.
        byte[] get = [0x0A, 0x01, (byte)'k', 0x3A, 0xFE, 0xFF, 0xFF, 0xFF, 0x07, (byte)'x'];
        byte[] body = [0x08, 0x01, 0x5A, (byte)get.Length, .. get];

        Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseRequest(new ReadOnlySequence<byte>(body)));
    }

    [Fact]
    public void ParseRequest_TruncatedField_ThrowsMalformedFrame()
    {
        var error = Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseRequest(new ReadOnlySequence<byte>([0x0A, 0x10])));

        Assert.Contains("field 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRequest_GroupWireType_ThrowsMalformedFrame()
    {
        // Field 7 as a start-group (wire type 3): Google.Protobuf would skip it as unknown; this protocol has no groups.
        var error = Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseRequest(new ReadOnlySequence<byte>([0x08, 0x01, 0x3B, 0x3C])));

        Assert.Contains("wire type 3", error.Message, StringComparison.Ordinal);
    }

    // Fuzzing (frame target, second 10-minute run, 2026-12-02): 42-byte frames with a field length of
    // int.MaxValue made Google.Protobuf 3.26.1 allocate about 2 GiB per parse before it failed.
    public static TheoryData<string, byte[]> FuzzedAllocatingFrames => new()
    {
        {
            "Request.put / Response.put announced as int.MaxValue bytes",
            [
                0x00, 0x00, 0x00, 0x2A, 0x52, 0xFF, 0xFF, 0xFF, 0xFF, 0xE7, 0xE7, 0xFF, 0xFF, 0x0C, 0x65, 0x18, 0x0A, 0x18,
                0x18, 0x10, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x10, 0x0E, 0x08, 0x16, 0x52,
                0xFF, 0xFF, 0xFF, 0xBF, 0xE7, 0xE7, 0xFF, 0xFF, 0xFF, 0x65,
            ]
        },
        {
            "Request.status / Response.status announced as 0x7FFFFFFF bytes, then a nested length",
            [
                0x00, 0x00, 0x00, 0x2A, 0x20, 0x05, 0x7A, 0xFF, 0xFF, 0xFF, 0xFF, 0x17, 0x10, 0x18, 0x22, 0xFF, 0xFF, 0xFF,
                0x17, 0x10, 0x18, 0x22, 0x18, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x28, 0x48, 0x68, 0x48, 0x48,
                0x48, 0x48, 0x48, 0x48, 0x48, 0x4D, 0x64, 0x48, 0x40, 0x00,
            ]
        },
    };

    [Theory]
    [MemberData(nameof(FuzzedAllocatingFrames))]
    public void Parse_FuzzedLengthOfIntMax_ThrowsMalformedFrameWithoutAllocatingIt(string what, byte[] frame)
    {
        ReadOnlySequence<byte> body = BodyOf(frame);
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseRequest(body));
        Assert.Throws<MalformedFrameException>(() => FrameCodec.ParseResponse(body));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024 * 1024, $"{what}: {allocated} bytes allocated");
    }

    public static TheoryData<IMessage> ValidMessages => new()
    {
        new Request { RequestId = 1, Put = new PutRequest { Key = ByteString.CopyFrom(0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), Value = ByteString.CopyFrom(0x12, 0x7F), ExpiresAtUnixMs = -1, Session = new ClientSession { ClientId = ByteString.CopyFrom(new byte[16]), Sequence = ulong.MaxValue } } },
        new Request { RequestId = ulong.MaxValue, Scan = new ScanRequest { Start = ByteString.Empty, Limit = uint.MaxValue, Shards = { 0, 1, uint.MaxValue } } },
        new Request { RequestId = 3, Batch = new BatchRequest { Ops = { new BatchOp { Key = ByteString.CopyFromUtf8("k"), Delete = true }, new BatchOp { Key = ByteString.CopyFromUtf8("v"), Value = ByteString.CopyFrom(new byte[70000]) } }, LeaderEpochs = { [0] = 1, [7] = ulong.MaxValue } } },
        new Request { RequestId = 4, Status = new StatusRequest() },
        new Response { RequestId = 5, Status = new StatusResponse { Node = "n", Shards = { new ShardStatus { Id = 1, State = "running", LevelFiles = { 1, 2, 3 }, LevelBytes = { ulong.MaxValue } } } } },
        new Response { RequestId = 6, Scan = new ScanResponse { Entries = { new KeyValue { Key = ByteString.CopyFromUtf8("a"), Value = ByteString.CopyFrom(0x22, 0xFF, 0xFF, 0xFF, 0xFF, 0x07) } }, Truncated = true } },
        new Response { RequestId = 7, Error = new Error { Code = ErrorCode.InvalidArgument, Message = "m", LeaderEpoch = ulong.MaxValue, RetryAfterMs = 1 } },
    };

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void Parse_ValidMessagesIncludingValuesThatLookLikeFields_RoundTrip(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, message);
        ReadOnlySequence<byte> body = BodyOf(writer.WrittenSpan.ToArray());

        IMessage parsed = message is Request ? FrameCodec.ParseRequest(body) : FrameCodec.ParseResponse(body);

        Assert.Equal(message, parsed);
    }

    [Fact]
    public void TryReadFrame_WrittenFrameInSegments_ReadsItBackWhole()
    {
        var request = new Request { RequestId = 9, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } };
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, request);
        byte[] bytes = [.. writer.WrittenSpan, 0x00, 0x00];
        var first = new SequenceSegment(bytes.AsMemory(0, 3));
        SequenceSegment last = first.Append(bytes.AsMemory(3));
        var buffer = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.True(FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxFrameSize, out ReadOnlySequence<byte> body));
        Assert.Equal(request, FrameCodec.ParseRequest(body));
        Assert.Equal(2, buffer.Length);
        Assert.False(FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxFrameSize, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_LengthOverLimit_ThrowsFrameTooLarge()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x01 });

        var error = Assert.Throws<FrameTooLargeException>(() => FrameCodec.TryReadFrame(ref buffer, 1024, out _));

        Assert.Equal(0xFFFFFFFFu, error.Length);
        Assert.Equal(1024, error.Limit);
    }
}
