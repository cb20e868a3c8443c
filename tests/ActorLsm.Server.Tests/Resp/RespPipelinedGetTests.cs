using System.Net.Sockets;
using System.Text;
using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Shards;

namespace ActorLsm.Server.Tests.Resp;

/// <summary>The RESP listener over a node whose shards fail one by one: pipelined GETs get their own answers.</summary>
public sealed class RespPipelinedGetTests
{
    private const int ShardCount = 4;

    private static int ShardOf(string key) => ShardHash.ShardOf(Encoding.UTF8.GetBytes(key), ShardCount);

    [Fact]
    public async Task PipelinedGets_OneShardUnavailable_OnlyItsGetsFailOthersGetTheirValues()
    {
        string[] keys = [.. Enumerable.Range(0, 200).Select(i => "k" + i)];
        int down = ShardOf(keys[0]);
        string[] failing = [.. keys.Where(k => ShardOf(k) == down).Take(2)];
        string[] serving = [.. keys.Where(k => ShardOf(k) != down).Take(4)]; // the last one is never written
        var store = new InMemoryNodeStore
        {
            ShardCount = ShardCount,
            KeyFailure = k => ShardHash.ShardOf(k, ShardCount) == down ? new ShardUnavailableException($"shard {down} is restarting") : null,
        };
        foreach (string key in serving[..3])
        {
            await store.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("v-" + key), CancellationToken.None);
        }

        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.resp.port = 0");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.RespPort!.Value);
        NetworkStream stream = client.GetStream();
        string[] order = [serving[0], failing[0], serving[1], failing[1], serving[2], serving[3]];

        // One write: the session reads the GETs together and asks each shard once.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(order.Select(k => $"GET {k}\r\n"))));
        string replies = await ReadRepliesAsync(stream, order.Length);

        string tryAgain = $"-TRYAGAIN shard {down} is restarting\r\n";
        string expected = $"${2 + serving[0].Length}\r\nv-{serving[0]}\r\n"
            + tryAgain
            + $"${2 + serving[1].Length}\r\nv-{serving[1]}\r\n"
            + tryAgain
            + $"${2 + serving[2].Length}\r\nv-{serving[2]}\r\n"
            + "$-1\r\n";
        Assert.Equal(expected, replies);
    }

    // Reads until `count` replies (simple, error, or bulk strings) have arrived.
    private static async Task<string> ReadRepliesAsync(NetworkStream stream, int count)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (CountReplies(text.ToString()) < count)
        {
            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(n > 0, "the node closed the connection after: " + text);
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    private static int CountReplies(string text)
    {
        int replies = 0;
        int at = 0;
        while (true)
        {
            int end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0)
            {
                return replies;
            }

            if (text[at] == '$' && int.Parse(text.AsSpan(at + 1, end - at - 1), System.Globalization.CultureInfo.InvariantCulture) is int length and >= 0)
            {
                if (text.Length < end + 2 + length + 2)
                {
                    return replies;
                }

                end += 2 + length;
            }

            replies++;
            at = end + 2;
        }
    }
}
