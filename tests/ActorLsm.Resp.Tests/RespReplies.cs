using System.Net.Sockets;
using System.Text;

namespace ActorLsm.Resp.Tests;

/// <summary>A raw RESP2 connection for tests that need exact pipelining: one write, then the replies as text.</summary>
internal sealed class RespReplies : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private readonly List<byte> _pending = [];
    private NetworkStream? _stream;

    public static async Task<RespReplies> ConnectAsync(int port)
    {
        var replies = new RespReplies();
        await replies._client.ConnectAsync("127.0.0.1", port);
        replies._stream = replies._client.GetStream();
        return replies;
    }

    /// <summary>Sends <paramref name="commands"/> (each an array of bulk strings) in one write and reads one reply each.</summary>
    /// <returns>Each reply: the value of a bulk string, <c>(nil)</c> for a null, else the line (<c>+OK</c>, <c>-ERR ...</c>).</returns>
    public async Task<IReadOnlyList<string>> PipelineAsync(params byte[][][] commands)
    {
        var request = new List<byte>();
        foreach (byte[][] command in commands)
        {
            request.AddRange(Encoding.ASCII.GetBytes($"*{command.Length}\r\n"));
            foreach (byte[] arg in command)
            {
                request.AddRange(Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
                request.AddRange(arg);
                request.AddRange("\r\n"u8.ToArray());
            }
        }

        await _stream!.WriteAsync(request.ToArray());
        var replies = new List<string>();
        for (int i = 0; i < commands.Length; i++)
        {
            string line = await ReadLineAsync();
            if (line.StartsWith('$'))
            {
                int length = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                replies.Add(length < 0 ? "(nil)" : Encoding.UTF8.GetString(await ReadExactlyAsync(length + 2), 0, length));
            }
            else
            {
                replies.Add(line);
            }
        }

        return replies;
    }

    public static byte[][] Command(params string[] args) => [.. args.Select(Encoding.UTF8.GetBytes)];

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            int end = _pending.IndexOf((byte)'\n');
            if (end >= 0)
            {
                string line = Encoding.UTF8.GetString([.. _pending.Take(end)]).TrimEnd('\r');
                _pending.RemoveRange(0, end + 1);
                return line;
            }

            await FillAsync();
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        while (_pending.Count < count)
        {
            await FillAsync();
        }

        byte[] bytes = [.. _pending.Take(count)];
        _pending.RemoveRange(0, count);
        return bytes;
    }

    private async Task FillAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        int n = await _stream!.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        if (n == 0)
        {
            throw new IOException("the node closed the connection");
        }

        _pending.AddRange(buffer.AsSpan(0, n).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _client.Dispose();
    }
}
