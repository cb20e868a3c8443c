using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests;

public sealed class ErrorMappingTests
{
    public static TheoryData<ErrorCode, Type> Codes => new()
    {
        { ErrorCode.InvalidArgument, typeof(ArgumentException) },
        { ErrorCode.Overloaded, typeof(ActorLsmOverloadedException) },
        { ErrorCode.Unavailable, typeof(ActorLsmException) },
        { ErrorCode.MalformedFrame, typeof(ActorLsmException) },
        { ErrorCode.FrameTooLarge, typeof(ActorLsmException) },
        { ErrorCode.UnknownMessage, typeof(ActorLsmException) },
        { ErrorCode.Internal, typeof(ActorLsmException) },
        { ErrorCode.Timeout, typeof(ActorLsmException) },
        { ErrorCode.Unspecified, typeof(ActorLsmException) },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task PutAsync_ErrorResponse_ThrowsMappedException(ErrorCode code, Type expected)
    {
        await using var node = new FakeNode(_ => new Response { Error = new Error { Code = code, Message = "scripted failure" } });
        await using ActorLsmClient client = Clients.For(node);

        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => client.PutAsync(Clients.Bytes("k"), Clients.Bytes("v")).Bounded());

        Assert.Equal(expected, error.GetType());
        Assert.Contains("scripted failure", error.Message, StringComparison.Ordinal);
        if (error is ActorLsmException typed)
        {
            Assert.Equal(code, typed.Code);
        }
    }

    [Fact]
    public async Task GetAsync_ErrorResponse_ConnectionStaysOpen()
    {
        int calls = 0;
        await using var node = new FakeNode(_ => Interlocked.Increment(ref calls) == 1
            ? new Response { Error = new Error { Code = ErrorCode.Overloaded, Message = "busy" } }
            : new Response { Get = new GetResponse() });
        await using ActorLsmClient client = Clients.For(node);

        await Assert.ThrowsAsync<ActorLsmOverloadedException>(() => client.GetAsync(Clients.Bytes("k")).Bounded());
        byte[]? value = await client.GetAsync(Clients.Bytes("k")).Bounded();

        Assert.Null(value);
        Assert.Equal(1, node.AcceptedCount);
    }

    [Fact]
    public async Task GetAsync_ConnectionErrorWithRequestIdZero_FailsPendingWithConnectionException()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node);

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"));
        ReceivedRequest received = await node.NextRequestAsync();
        await received.Connection.SendAsync(new Response { RequestId = 0, Error = new Error { Code = ErrorCode.MalformedFrame, Message = "bad frame" } });

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => get.Bounded());
        var cause = Assert.IsType<ActorLsmException>(error.InnerException);
        Assert.Equal(ErrorCode.MalformedFrame, cause.Code);
    }

    [Fact]
    public async Task GetAsync_ResponseOfWrongKind_ClosesConnectionWithConnectionException()
    {
        await using var node = new FakeNode(_ => new Response { Put = new PutResponse { Sequence = 1 } });
        await using ActorLsmClient client = Clients.For(node);

        var error = await Assert.ThrowsAsync<ActorLsmConnectionException>(() => client.GetAsync(Clients.Bytes("k")).Bounded());

        Assert.Contains("protocol violation", error.Message, StringComparison.Ordinal);
    }
}
