using System.Net;
using System.Net.Sockets;

namespace ActorLsm.Cli.Tests;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertOneLine(string text)
    {
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Single(text.TrimEnd('\r', '\n').Split('\n'));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put", "onlykey")]
    [InlineData("get")]
    [InlineData("get", "k", "--endpoint", "nohostport")]
    [InlineData("get", "k", "--endpoint", "host:99999")]
    [InlineData("get", "k", "--endpoint", ":7400")]
    [InlineData("scan", "a", "b", "--limit", "-1")]
    [InlineData("scan", "--limit", "many")]
    [InlineData("nosuchcommand")]
    [InlineData()]
    [InlineData("ycsb", "--phase", "load")]
    [InlineData("ycsb", "--workload", "/nonexistent/workloadz", "--phase", "load", "--embedded", "/tmp/x")]
    [InlineData("ycsb", "--workload", "w", "--phase", "warmup")]
    public async Task Run_BadArguments_ExitTwoWithOneLine(params string[] args)
    {
        (int code, string output, string error) = await RunAsync(args);

        Assert.Equal(2, code);
        AssertOneLine(error);
        Assert.Equal(string.Empty, output);
    }

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("-p", "recordcount")]
    [InlineData("-p", "requestdistribution=exponential")]
    [InlineData("--embedded", "/tmp/x", "--endpoint", "127.0.0.1:7400")]
    public async Task Ycsb_BadSettings_ExitTwoWithOneLine(params string[] extra)
    {
        string workload = WorkloadTexts.WriteTemp(WorkloadTexts.UpdateHeavy);
        try
        {
            (int code, string output, string error) = await RunAsync(["ycsb", "--workload", workload, "--phase", "run", "--no-progress", .. extra]);

            Assert.Equal(2, code);
            AssertOneLine(error);
            Assert.Equal(string.Empty, output);
        }
        finally
        {
            File.Delete(workload);
        }
    }

    [Fact]
    public async Task Get_NodeUnreachable_ExitOneWithOneLine()
    {
        // A port that was just free: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        (int code, string output, string error) = await RunAsync("get", "k", "--endpoint", $"127.0.0.1:{port}");

        Assert.Equal(1, code);
        AssertOneLine(error);
        Assert.StartsWith("actorlsm get:", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Run_UnknownCommand_MessageStartsWithToolName()
    {
        (_, _, string error) = await RunAsync("frobnicate");
        Assert.StartsWith("actorlsm: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ScanBound_EmptyOrMissing_IsUnbounded()
    {
        Assert.Null(Commands.ScanCommand.Bound(null));
        Assert.Null(Commands.ScanCommand.Bound(""));
        Assert.Equal("a"u8.ToArray(), Commands.ScanCommand.Bound("a"));
    }

    [Theory]
    [InlineData("127.0.0.1:7400")]
    [InlineData("localhost:1")]
    [InlineData("[::1]:65535")]
    public void ParseEndpoint_Valid_ReturnsIt(string endpoint)
    {
        Assert.Equal(endpoint, Commands.CommandSupport.ParseEndpoint(endpoint));
    }

    [Fact]
    public async Task HashPassword_GivenPassword_PrintsAHashThatVerifies()
    {
        (int code, string output, string error) = await RunAsync("hash-password", "--password", "s3cret", "--iterations", "1000");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        string hash = output.Trim();
        Assert.StartsWith("pbkdf2-sha256$1000$", hash, StringComparison.Ordinal);
        Assert.True(ActorLsm.Protocol.Security.PasswordHash.TryParse(hash, out var parsed, out string reason), reason);
        Assert.True(ActorLsm.Protocol.Security.PasswordHash.Verify("s3cret", parsed));
    }

    [Fact]
    public async Task Get_PasswordWithoutUser_ExitTwoWithOneLine()
    {
        (int code, string output, string error) = await RunAsync("get", "k", "--password", "x");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        AssertOneLine(error);
        Assert.Contains("--user", error, StringComparison.Ordinal);
    }
}
