using ActorLsm.Client;
using ActorLsm.Protocol;
using ActorLsm.Protocol.Security;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// Authentication and roles over the wire (PROTOCOL.md, "Authentication"): NOAUTH before an AuthRequest,
/// WRONGPASS, the per-address rate limit, role checks, and the .NET client's credentials.
/// </summary>
public sealed class AuthServerTests : IAsyncLifetime
{
    private static readonly string s_users = Users();
    private readonly InMemoryNodeStore _store = new();
    private ActorLsmServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServers.StartAsync(_store, s_users + """

        actorlsm.security.auth-rate-limit { free-failures = 2, base-delay = 1h, max-delay = 1h }
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Get_Unauthenticated_NoauthAndConnectionStaysOpen()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_server.Port);

        await raw.SendAsync(new Request { RequestId = 1, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });
        Response refused = await raw.ReceiveAsync();
        await raw.SendAsync(Auth(2, "writer", "w-pw"));
        Response accepted = await raw.ReceiveAsync();
        await raw.SendAsync(new Request { RequestId = 3, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });
        Response got = await raw.ReceiveAsync();

        Assert.Equal(ErrorCode.Noauth, refused.Error.Code);
        Assert.Equal("readwrite", accepted.Auth.Role);
        Assert.True(accepted.Auth.AuthEnabled);
        Assert.Equal(Response.BodyOneofCase.Get, got.BodyCase);
    }

    [Fact]
    public async Task Auth_WrongPasswordRepeatedly_WrongpassThenRateLimitedUnchecked()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_server.Port);

        var codes = new List<ErrorCode>();
        ulong retryAfter = 0;
        for (ulong i = 1; i <= 4; i++)
        {
            await raw.SendAsync(Auth(i, i == 4 ? "admin" : "nobody", i == 4 ? "a-pw" : "guess"));
            Response response = await raw.ReceiveAsync();
            codes.Add(response.Error?.Code ?? ErrorCode.Unspecified);
            retryAfter = Math.Max(retryAfter, response.Error?.RetryAfterMs ?? 0);
        }

        // free-failures = 2: the third failure imposes the wait; the fourth attempt (right password) is not checked.
        Assert.Equal([ErrorCode.Wrongpass, ErrorCode.Wrongpass, ErrorCode.Wrongpass, ErrorCode.AuthRateLimited], codes);
        Assert.True(retryAfter > 60_000, $"retry after {retryAfter} ms");
    }

    [Fact]
    public async Task ReadUser_PutAndLeave_NoPermissionNothingWritten()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_server.Port);
        await raw.SendAsync(Auth(1, "reader", "r-pw"));
        Assert.Equal("read", (await raw.ReceiveAsync()).Auth.Role);

        await raw.SendAsync(new Request { RequestId = 2, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } });
        Response put = await raw.ReceiveAsync();
        await raw.SendAsync(new Request { RequestId = 3, Leave = new LeaveRequest() });
        Response leave = await raw.ReceiveAsync();
        await raw.SendAsync(new Request { RequestId = 4, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });
        Response get = await raw.ReceiveAsync();

        Assert.Equal(ErrorCode.NoPermission, put.Error.Code);
        Assert.Equal(ErrorCode.NoPermission, leave.Error.Code);
        Assert.False(get.Get.Found);
        Assert.False(_server.LeaveRequested.IsCompleted);
    }

    [Fact]
    public async Task ReadWriteUser_Leave_NoPermissionButWritesSucceed()
    {
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [_server.Endpoint], User = "writer", Password = "w-pw", ShardRouting = false });

        await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());
        ActorLsmException error = await Assert.ThrowsAsync<ActorLsmException>(() => client.LeaveAsync());

        Assert.Equal("v"u8.ToArray(), await client.GetAsync("k"u8.ToArray()));
        Assert.Equal(ErrorCode.NoPermission, error.Code);
        Assert.False(_server.LeaveRequested.IsCompleted);
    }

    [Fact]
    public async Task AdminUser_Leave_Accepted()
    {
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [_server.Endpoint], User = "admin", Password = "a-pw", ShardRouting = false });

        await client.LeaveAsync();

        Assert.True(_server.LeaveRequested.IsCompleted);
    }

    [Fact]
    public async Task Client_WrongPassword_FailsWithWrongpass()
    {
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [_server.Endpoint], User = "writer", Password = "nope", ShardRouting = false, RequestTimeout = TimeSpan.FromSeconds(10) });

        ActorLsmException error = await Assert.ThrowsAsync<ActorLsmException>(() => client.GetAsync("k"u8.ToArray()));

        Assert.Equal(ErrorCode.Wrongpass, error.Code);
    }

    [Fact]
    public async Task Client_NoCredentials_FailsWithNoauth()
    {
        await using var client = new ActorLsmClient(new ActorLsmClientOptions { Endpoints = [_server.Endpoint], ShardRouting = false, RequestTimeout = TimeSpan.FromSeconds(10) });

        ActorLsmException error = await Assert.ThrowsAsync<ActorLsmException>(() => client.GetAsync("k"u8.ToArray()));

        Assert.Equal(ErrorCode.Noauth, error.Code);
    }

    private static Request Auth(ulong id, string user, string password) =>
        new() { RequestId = id, Auth = new AuthRequest { User = user, Password = password } };

    private static string Users()
    {
        string Hash(string pw) => PasswordHash.Create(pw, PasswordHash.MinIterations);
        return $$"""
            actorlsm.security.users = [
              { name = reader, password-hash = "{{Hash("r-pw")}}", role = read }
              { name = writer, password-hash = "{{Hash("w-pw")}}", role = readwrite }
              { name = admin, password-hash = "{{Hash("a-pw")}}", role = admin }
            ]
            """;
    }
}
