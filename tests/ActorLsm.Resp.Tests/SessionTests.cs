using System.IO.Pipelines;
using System.Text;

namespace ActorLsm.Resp.Tests;

/// <summary>A <see cref="RespSession"/> over in-memory pipes and <see cref="InMemoryBackend"/>: ordering, protocol switches, auth.</summary>
public sealed class SessionTests
{
    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private static Task<string> RunAsync(string input, IRespAuthenticator? authenticator = null) =>
        RunAsync(input, new RespService(new InMemoryBackend(), new RespServiceOptions(), authenticator));

    private static async Task<string> RunAsync(string input, RespService service)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var session = new RespSession(service, "test");
        Task run = session.RunAsync(new Duplex(toServer.Reader, fromServer.Writer), CancellationToken.None);
        await toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(input));
        await toServer.Writer.CompleteAsync();
        await run;
        var output = new StringBuilder();
        while (true)
        {
            ReadResult read = await fromServer.Reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                output.Append(Encoding.UTF8.GetString(segment.Span));
            }

            fromServer.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return output.ToString();
            }
        }
    }

    [Fact]
    public async Task RunAsync_PipelinedWritesThenRead_ReadSeesThemAndRepliesInOrder()
    {
        string replies = await RunAsync("SET k 1\r\nINCR k\r\nINCR k\r\nGET k\r\nAPPEND k x\r\nGET k\r\n");

        Assert.Equal("+OK\r\n:2\r\n:3\r\n$1\r\n3\r\n:2\r\n$2\r\n3x\r\n", replies);
    }

    [Fact]
    public async Task RunAsync_PipelinedGetsAfterWrites_ReadTogetherOnceRepliesInOrder()
    {
        var backend = new InMemoryBackend();

        string replies = await RunAsync("SET a 1\r\nSET b 2\r\nGET a\r\nGET b\r\nGET c\r\nGET a\r\n", new RespService(backend, new RespServiceOptions()));

        Assert.Equal("+OK\r\n+OK\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$1\r\n1\r\n", replies);
        Assert.Equal(1, backend.ManyReads);
    }

    [Fact]
    public async Task RunAsync_PipelinedGetsOneReadFails_OnlyThatGetAnswersTheError()
    {
        var backend = new InMemoryBackend { ReadFailure = k => k.AsSpan().SequenceEqual("b"u8) ? new TimeoutException("shard 1 did not answer") : null };

        string replies = await RunAsync("SET a 1\r\nSET c 3\r\nGET a\r\nGET b\r\nGET c\r\n", new RespService(backend, new RespServiceOptions()));

        Assert.Equal("+OK\r\n+OK\r\n$1\r\n1\r\n-ERR timeout: shard 1 did not answer\r\n$1\r\n3\r\n", replies);
        Assert.Equal(1, backend.ManyReads);
    }

    [Fact]
    public async Task RunAsync_TransientRedirectEndsWithinTheWait_CommandsServedInOrder()
    {
        var backend = new InMemoryBackend();
        backend.SetRoute(new RespRedirect("TRYAGAIN shard 1 has no available leader", Transient: true));
        Task<string> replies = RunAsync("SET k 1\r\nGET k\r\n", new RespService(backend, new RespServiceOptions { LeaderChangeWait = TimeSpan.FromMinutes(5) }));

        await backend.Redirected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(replies.IsCompleted);
        backend.SetRoute(null);

        Assert.Equal("+OK\r\n$1\r\n1\r\n", await replies.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RunAsync_TransientRedirectBecomesMoved_RepliesMoved()
    {
        var backend = new InMemoryBackend();
        backend.SetRoute(new RespRedirect("TRYAGAIN shard 1 has no available leader", Transient: true));
        Task<string> replies = RunAsync("GET k\r\n", new RespService(backend, new RespServiceOptions { LeaderChangeWait = TimeSpan.FromMinutes(5) }));

        await backend.Redirected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        backend.SetRoute(new RespRedirect("MOVED 3 127.0.0.1:7000"));

        Assert.Equal("-MOVED 3 127.0.0.1:7000\r\n", await replies.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RunAsync_TransientRedirectWithZeroWait_RepliesTryAgainAtOnce()
    {
        var backend = new InMemoryBackend();
        backend.SetRoute(new RespRedirect("TRYAGAIN shard 1 has no available leader", Transient: true));

        string replies = await RunAsync("GET k\r\nPING\r\n", new RespService(backend, new RespServiceOptions { LeaderChangeWait = TimeSpan.Zero }));

        Assert.Equal("-TRYAGAIN shard 1 has no available leader\r\n+PONG\r\n", replies);
    }

    [Fact]
    public async Task RunAsync_Hello3_LaterNullsAreResp3()
    {
        string replies = await RunAsync("GET none\r\nHELLO 3\r\nGET none\r\n");

        Assert.StartsWith("$-1\r\n%7\r\n", replies, StringComparison.Ordinal);
        Assert.EndsWith("_\r\n", replies, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AuthRequired_OnlyAuthBeforeAuthenticating()
    {
        var users = new PasswordAuthenticator("secret");

        string replies = await RunAsync("GET k\r\nAUTH wrong\r\nAUTH secret\r\nGET k\r\n", users);

        Assert.Equal("-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n$-1\r\n", replies);
    }

    [Fact]
    public async Task RunAsync_Quit_RepliesOkAndIgnoresTheRest()
    {
        string replies = await RunAsync("PING\r\nQUIT\r\nPING\r\n");

        Assert.Equal("+PONG\r\n+OK\r\n", replies);
    }

    [Fact]
    public async Task RunAsync_ScanWithCursor_VisitsEveryKeyOnce()
    {
        var backend = new InMemoryBackend();
        for (int i = 0; i < 25; i++)
        {
            await backend.WriteAsync([new RespWrite(Encoding.UTF8.GetBytes("key" + i), [1])], default);
        }

        var service = new RespService(backend, new RespServiceOptions());
        var seen = new List<string>();
        string cursor = "0";
        do
        {
            string reply = await RunAsync($"SCAN {cursor} COUNT 4\r\n", service);
            string[] lines = reply.Split("\r\n");
            cursor = lines[2];
            seen.AddRange(lines.Skip(4).Where((_, i) => i % 2 == 1).Where(l => l.Length > 0));
        }
        while (cursor != "0");

        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
    }

    private sealed class PasswordAuthenticator(string password) : IRespAuthenticator
    {
        public bool Required => true;

        public RespRole DefaultRole => RespRole.Read;

        public ValueTask<RespRole?> AuthenticateAsync(string remote, string user, string given, CancellationToken cancellationToken) =>
            ValueTask.FromResult<RespRole?>(given == password ? RespRole.ReadWrite : null);
    }
}
