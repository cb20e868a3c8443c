using System.Diagnostics;

namespace ActorLsm.Resp.Tests;

/// <summary>The node driven by redis-cli (Debian redis-tools; .ci/run installs it). Skips with a message when redis-cli is missing.</summary>
public sealed class RedisCliTests(RespNodeFixture fixture) : IClassFixture<RespNodeFixture>
{
    internal static string? RedisCli { get; } = Find("redis-cli");

    internal static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    internal static async Task<string> RunAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo(RedisCli!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (await output) + (await error);
    }

    private string[] Port => ["-h", "127.0.0.1", "-p", fixture.Node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    [SkippableFact]
    public async Task SetGet_RedisCli_ValueRoundTrips()
    {
        Skip.If(RedisCli is null, "redis-cli is not installed (apt-get install redis-tools)");

        string set = await RunAsync(string.Empty, [.. Port, "set", "cli:greeting", "hello world"]);
        string get = await RunAsync(string.Empty, [.. Port, "get", "cli:greeting"]);

        Assert.Equal("OK", set.Trim());
        Assert.Equal("hello world", get.Trim());
    }

    [SkippableFact]
    public async Task PipedCommands_RedisCliStdin_AnsweredInOrder()
    {
        Skip.If(RedisCli is null, "redis-cli is not installed (apt-get install redis-tools)");
        string script = string.Concat(Enumerable.Range(0, 200).Select(i => $"incr cli:piped\n")) + "get cli:piped\nset cli:p2 x\nappend cli:p2 yz\nget cli:p2\n";

        string output = await RunAsync(script, Port);

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines[..200]);
        Assert.Equal(["200", "OK", "3", "xyz"], lines[200..]);
    }

    [SkippableFact]
    public async Task Scan_RedisCli_ListsEveryMatchingKey()
    {
        Skip.If(RedisCli is null, "redis-cli is not installed (apt-get install redis-tools)");
        string sets = string.Concat(Enumerable.Range(0, 25).Select(i => $"set cliscan:{i} v\n"));
        await RunAsync(sets, Port);

        string output = await RunAsync(string.Empty, [.. Port, "--scan", "--pattern", "cliscan:*"]);

        string[] keys = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"cliscan:{i}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task ProtocolError_GarbageBulkLength_ErrorThenNodeStillServes()
    {
        Skip.If(RedisCli is null, "redis-cli is not installed (apt-get install redis-tools)");
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", fixture.Node.Port);
        using System.Net.Sockets.NetworkStream stream = client.GetStream();
        await stream.WriteAsync("*1\r\n$zz\r\n"u8.ToArray());
        byte[] buffer = new byte[256];
        int n = await stream.ReadAsync(buffer);

        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal("PONG", (await RunAsync(string.Empty, [.. Port, "ping"])).Trim());
    }
}
