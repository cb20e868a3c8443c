using System.Collections.Concurrent;
using System.Text;
using ActorLsm.Client;
using ActorLsm.Server.Tests.Support;
using Xunit.Abstractions;

namespace ActorLsm.Server.Tests.EndToEnd;

/// <summary>
/// actorlsm-server as a child process: kill -9 under an insert load loses no acknowledged insert;
/// SIGTERM exits 0 after closing the shards; a bad configuration exits 2 with one located error line.
/// </summary>
public sealed class ProcessCrashTests : IDisposable
{
    private const string SmallNode = """
        actorlsm.node.shard-count = 4
        actorlsm.storage.memtable-size = 256KiB
        actorlsm.storage.block-cache-size = 4MiB
        actorlsm.server.shutdown-timeout = 20s
        """;

    private readonly TempDir _dir = new();
    private readonly string _data;
    private readonly string _config;

    private readonly ITestOutputHelper _output;

    public ProcessCrashTests(ITestOutputHelper output)
    {
        _output = output;
        _data = Path.Combine(_dir.Path, "data");
        _config = Path.Combine(_dir.Path, "node.conf");
        File.WriteAllText(_config, SmallNode);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillDuringInsertLoad_EveryAcknowledgedInsertSurvivesRestart()
    {
        var acked = new ConcurrentDictionary<string, bool>();
        await using (ServerProcess server = await StartAsync())
        {
            await using ActorLsmClient client = Client(server);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] loaders = Enumerable.Range(0, 8).Select(t => Task.Run(() => InsertUntilFailureAsync(client, t, acked, enough))).ToArray();

            await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
            server.Kill();
            await Task.WhenAll(loaders).WaitAsync(TimeSpan.FromSeconds(60));
        }

        _output.WriteLine($"{acked.Count} inserts acknowledged before kill -9");
        Assert.True(acked.Count >= 1500, $"only {acked.Count} inserts acknowledged before the kill");
        await using (ServerProcess restarted = await StartAsync())
        {
            await using ActorLsmClient client = Client(restarted);
            string[] keys = [.. acked.Keys];
            byte[]?[] values = await Task.WhenAll(keys.Select(k => client.GetAsync(Encoding.ASCII.GetBytes(k))));
            string[] lost = keys.Where((k, i) => values[i] is null || Encoding.ASCII.GetString(values[i]!) != Value(k)).ToArray();
            Assert.True(lost.Length == 0, $"{lost.Length} of {keys.Length} acknowledged inserts lost, e.g. {string.Join(", ", lost.Take(5))}");
        }
    }

    [Fact]
    public async Task SigTerm_ExitsZeroAndDataPresentAfterRestart()
    {
        string[] keys = Enumerable.Range(0, 500).Select(i => Key(9, i)).ToArray();
        int exitCode;
        string log;
        await using (ServerProcess server = await StartAsync())
        {
            await using (ActorLsmClient client = Client(server))
            {
                await Task.WhenAll(keys.Select(k => client.PutAsync(Encoding.ASCII.GetBytes(k), Encoding.ASCII.GetBytes(Value(k)))));
            }

            server.Terminate();
            exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
            log = server.Stderr;
        }

        Assert.True(exitCode == 0, $"exit code {exitCode}; log:\n{log}");
        Assert.Contains("shards closed", log, StringComparison.Ordinal);
        await using ServerProcess restarted = await StartAsync();
        await using ActorLsmClient reader = Client(restarted);
        byte[]?[] values = await Task.WhenAll(keys.Select(k => reader.GetAsync(Encoding.ASCII.GetBytes(k))));
        Assert.All(values.Select((v, i) => (v, i)), p => Assert.Equal(Value(keys[p.i]), p.v is null ? null : Encoding.ASCII.GetString(p.v)));
    }

    [Fact]
    public async Task BadConfig_ExitsWithCode2AndOneLocatedErrorLine()
    {
        string bad = Path.Combine(_dir.Path, "node1.conf");
        File.WriteAllText(bad, "actorlsm {\n  storage.wal-sync-mode = sometimes\n}\n");

        (int code, string stderr) = await ServerProcess.RunToExitAsync("--config", bad, "--data-dir", _data, "--port", "0");

        Assert.Equal(2, code);
        Assert.Equal($"{bad}:2: actorlsm.storage.wal-sync-mode: expected none, batch or interval, got \"sometimes\"", stderr.Trim());
    }

    private static async Task InsertUntilFailureAsync(ActorLsmClient client, int task, ConcurrentDictionary<string, bool> acked, TaskCompletionSource enough)
    {
        for (int i = 0; ; i++)
        {
            string key = Key(task, i);
            try
            {
                await client.PutAsync(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(Value(key)));
            }
            catch (Exception ex) when (ex is ActorLsmConnectionException or ActorLsmException or TimeoutException or IOException or ObjectDisposedException)
            {
                return; // the node died: this insert's outcome is unknown, and so is every later one
            }

            acked[key] = true;
            if (acked.Count >= 2000)
            {
                enough.TrySetResult();
            }
        }
    }

    // YCSB-style key: "user" followed by a scrambled insert number, so inserts land all over the key space.
    private static string Key(int task, int i)
    {
        ulong x = ((ulong)task << 32) | (uint)i;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        return "user" + x.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Value(string key) => "field0=" + key;

    private static ActorLsmClient Client(ServerProcess server) =>
        new(new ActorLsmClientOptions { Endpoints = [server.Endpoint], ConnectionsPerEndpoint = 2, RequestTimeout = TimeSpan.FromSeconds(30) });

    private Task<ServerProcess> StartAsync() => ServerProcess.StartAsync("--config", _config, "--data-dir", _data, "--port", "0");
}
