using System.Globalization;
using System.Text.Json;
using ActorLsm.Server.Configuration;
using ActorLsm.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Cli.Tests;

/// <summary>The client commands and <c>ycsb --endpoint</c> against an in-process node on 127.0.0.1, port 0.</summary>
public sealed class NetworkCliTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"actorlsm-cli-net-{Guid.NewGuid():N}");
    private ActorLsmServer? _server;

    private string Endpoint => _server!.Endpoint;

    public async Task InitializeAsync()
    {
        ServerSettings settings = ServerConfigBinder.Bind(ServerConfig.Load(null, _dir, 0));
        _server = await ActorLsmServer.StartAsync(settings, logging => logging.SetMinimumLevel(LogLevel.None));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = await CliApp.RunAsync([.. args, "--endpoint", Endpoint], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Commands_PutGetScanDelStatus_RoundTripThroughNode()
    {
        Assert.Equal((0, "", ""), await RunAsync("put", "k1", "v1"));
        Assert.Equal((0, "", ""), await RunAsync("put", "k2", "välue 2"));
        Assert.Equal((0, "", ""), await RunAsync("put", "k3", "v3"));

        Assert.Equal((0, "v1\n", ""), await RunAsync("get", "k1"));
        Assert.Equal((1, "", "not found\n"), await RunAsync("get", "absent"));
        Assert.Equal((0, "k1\tv1\nk2\tvälue 2\nk3\tv3\n", ""), await RunAsync("scan"));
        Assert.Equal((0, "k1\tv1\n", ""), await RunAsync("scan", "", "k2"));
        Assert.Equal((0, "k3\tv3\nk2\tvälue 2\n", ""), await RunAsync("scan", "k2", "--reverse"));
        Assert.Equal((0, "k1\tv1\nk2\tvälue 2\n", ""), await RunAsync("scan", "--limit", "2"));

        Assert.Equal((0, "", ""), await RunAsync("del", "k2"));
        Assert.Equal((0, "2\n", ""), await RunAsync("scan", "--count"));

        (int code, string json, string error) = await RunAsync("status", "--json");
        Assert.Equal((0, ""), (code, error));
        using JsonDocument doc = JsonDocument.Parse(json);
        int shards = doc.RootElement.GetProperty("shardCount").GetInt32();
        Assert.Equal(shards, doc.RootElement.GetProperty("shards").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("shards").EnumerateArray().Sum(s => s.GetProperty("lastSequence").GetInt64()) >= 4);

        (code, string table, _) = await RunAsync("status");
        Assert.Equal(0, code);
        Assert.Contains("running", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ycsb_OverNetwork_LoadThenRunReportsEveryOperation()
    {
        string workload = WorkloadTexts.WriteTemp(WorkloadTexts.UpdateHeavy);
        try
        {
            string[] common = ["ycsb", "--workload", workload, "--threads", "4", "--no-progress", "-p", "recordcount=200", "-p", "operationcount=400"];
            (int loadCode, string load, string loadErr) = await RunAsync([.. common, "--phase", "load"]);
            Assert.True(loadCode == 0, loadErr);
            Assert.Contains("[INSERT], Return=OK, 200", load, StringComparison.Ordinal);

            (int runCode, string run, string runErr) = await RunAsync([.. common, "--phase", "run"]);
            Assert.True(runCode == 0, runErr);
            long operations = run.Split('\n')
                .Where(line => line.Contains("], Operations, ", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
            Assert.Equal(400, operations);
            Assert.DoesNotContain("Return=ERROR", run, StringComparison.Ordinal);
            Assert.DoesNotContain("Return=NOT_FOUND", run, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(workload);
        }
    }
}
