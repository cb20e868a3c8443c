using System.Net.Sockets;
using System.Text;

namespace ActorLsm.Resp.Tests;

/// <summary>
/// The expiry commands' read-modify-writes (SET with EX/PX and NX/XX/GET/KEEPTTL, GETEX, EXPIRE with
/// conditions, PERSIST) are atomic per key against the node's real shards: many connections racing
/// on one key see exactly one winner.
/// </summary>
public sealed class AtomicTtlTests(RespNodeFixture fixture) : IClassFixture<RespNodeFixture>
{
    private const int Connections = 16;
    private const int Rounds = 10;

    [Fact]
    public async Task SetNxEx_ManyConnectionsRaceOnOneKey_ExactlyOneWinsAndItsValueAndTtlStay()
    {
        List<RawRespConnection> connections = [];
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                connections.Add(await RawRespConnection.OpenAsync(fixture.Node.Port));
            }

            for (int round = 0; round < Rounds; round++)
            {
                string key = $"race:{round}";
                var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task<string>[] replies = [.. connections.Select((c, i) => Task.Run(async () =>
                {
                    await go.Task;
                    return await c.CommandAsync("SET", key, "c" + i, "NX", "EX", "100");
                }))];
                go.SetResult();
                string[] answers = await Task.WhenAll(replies);

                int[] winners = [.. Enumerable.Range(0, Connections).Where(i => answers[i] == "+OK")];
                Assert.True(winners.Length == 1, $"round {round}: {winners.Length} connections won: {string.Join(" | ", answers)}");
                Assert.All(answers.Where((_, i) => i != winners[0]), a => Assert.Equal("$-1", a));
                Assert.Equal("c" + winners[0], await connections[0].CommandAsync("GET", key));
                Assert.InRange(long.Parse((await connections[0].CommandAsync("TTL", key))[1..], System.Globalization.CultureInfo.InvariantCulture), 1, 100);
            }
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task SetGetPxAndKeepTtl_RacingWithIncrements_EveryOldValueSeenOnceAndTtlKept()
    {
        using RawRespConnection a = await RawRespConnection.OpenAsync(fixture.Node.Port);
        using RawRespConnection b = await RawRespConnection.OpenAsync(fixture.Node.Port);
        Assert.Equal("+OK", await a.CommandAsync("SET", "swap", "0", "EX", "1000"));

        // SET ... GET KEEPTTL from one connection and INCR from another: each SET returns the value it replaced,
        // so the returned values plus the final one account for every increment exactly once.
        const int n = 200;
        Task<string[]> swaps = Task.Run(async () =>
        {
            var seen = new string[n];
            for (int i = 0; i < n; i++)
            {
                seen[i] = await a.CommandAsync("SET", "swap", "0", "GET", "KEEPTTL");
            }

            return seen;
        });
        for (int i = 0; i < n; i++)
        {
            Assert.StartsWith(":", await b.CommandAsync("INCR", "swap"), StringComparison.Ordinal);
        }

        long taken = (await swaps).Sum(long.Parse) + long.Parse(await a.CommandAsync("GET", "swap"));
        Assert.Equal(n, taken);
        Assert.InRange(long.Parse((await a.CommandAsync("TTL", "swap"))[1..]), 1, 1000);
    }

    [Fact]
    public async Task ExpireNxAndGetEx_OnOneKey_ConditionsHold()
    {
        using RawRespConnection c = await RawRespConnection.OpenAsync(fixture.Node.Port);
        Assert.Equal("+OK", await c.CommandAsync("SET", "cond", "v"));
        Assert.Equal(":1", await c.CommandAsync("EXPIRE", "cond", "500", "NX"));
        Assert.Equal(":0", await c.CommandAsync("EXPIRE", "cond", "900", "NX"));
        Assert.Equal(":0", await c.CommandAsync("EXPIRE", "cond", "100", "GT"));
        Assert.Equal(":1", await c.CommandAsync("EXPIRE", "cond", "100", "LT"));
        Assert.Equal("v", await c.CommandAsync("GETEX", "cond", "PERSIST"));
        Assert.Equal(":-1", await c.CommandAsync("TTL", "cond"));
        Assert.Equal("v", await c.CommandAsync("GETEX", "cond", "EX", "50"));
        Assert.InRange(long.Parse((await c.CommandAsync("TTL", "cond"))[1..]), 1, 50);
        Assert.Equal(":1", await c.CommandAsync("PERSIST", "cond"));
        Assert.Equal(":0", await c.CommandAsync("PERSIST", "cond"));
        Assert.Equal("+OK", await c.CommandAsync("SET", "cond", "w", "XX", "PX", "100000"));
        Assert.Equal("+OK", await c.CommandAsync("SET", "cond", "x"));
        Assert.Equal(":-1", await c.CommandAsync("TTL", "cond")); // a plain SET drops the expiry, as in Redis
    }

    /// <summary>One RESP2 connection, one command at a time; replies as one line (a bulk string's contents, or the raw line).</summary>
    private sealed class RawRespConnection : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        private RawRespConnection(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
            _reader = new StreamReader(_stream, Encoding.UTF8);
        }

        public static async Task<RawRespConnection> OpenAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return new RawRespConnection(client);
        }

        public async Task<string> CommandAsync(params string[] args)
        {
            var text = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
            foreach (string arg in args)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
            }

            await _stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
            string line = await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new IOException("closed");
            return line.StartsWith('$') && line != "$-1" ? (await _reader.ReadLineAsync())! : line;
        }

        public void Dispose()
        {
            _reader.Dispose();
            _client.Dispose();
        }
    }
}
