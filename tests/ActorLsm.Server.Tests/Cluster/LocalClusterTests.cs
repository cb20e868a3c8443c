using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ActorLsm.Server.Tests.Support;
using Xunit.Abstractions;

namespace ActorLsm.Server.Tests.Cluster;

/// <summary>
/// The local cluster out of process, as a user runs it: <c>deploy/local-cluster.sh start 3</c> with
/// hocon/node1-3.conf and DEFAULT failure-detector and downing settings; <c>actorlsm status --json</c>
/// shows three up members, one singleton and a leader for every shard; kill -9 of the singleton's
/// node moves the singleton to another node within 30 s (phi accrual detection, then the split-brain
/// resolver's stable-after of 20 s, then the hand-over, as in Akka.Cluster). The nodes keep their
/// data, pids and logs in a temporary directory (ACTORLSM_CLUSTER_DIR), never in ./data, and are
/// always stopped (the script's <c>stop</c>, then SIGKILL of any survivor) when the test ends.
/// Needs the fixed ports 7401-7403 and 2551-2553 of 127.0.0.1 to be free.
/// </summary>
public sealed class LocalClusterTests : IAsyncLifetime
{
    private const int Nodes = 3;
    private static readonly TimeSpan s_failoverLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan s_statusTimeout = TimeSpan.FromSeconds(20);

    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;
    private bool _started;

    public LocalClusterTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            if (_started)
            {
                (int code, string stdout, string stderr) = await ScriptAsync(["stop"], TimeSpan.FromSeconds(90));
                _output.WriteLine($"local-cluster.sh stop exited {code}:\n{stdout}{stderr}");
            }
        }
        finally
        {
            KillLeftovers();
            _dir.Dispose();
        }
    }

    [Fact]
    public async Task KillSingletonNode_DefaultSettings_AnotherNodeRunsTheSingletonWithin30Seconds()
    {
        AssertClusterPortsFree();
        var clock = Stopwatch.StartNew();
        _started = true;
        (int code, string stdout, string stderr) = await ScriptAsync(["start", Nodes.ToString(CultureInfo.InvariantCulture)], s_scriptTimeout);
        Assert.True(code == 0, $"local-cluster.sh start exited {code}:\n{stdout}\n{stderr}");
        _output.WriteLine($"start {Nodes}: every node up after {clock.Elapsed.TotalSeconds:F1} s\n{stdout}");

        ClusterStatus formed = await PollStatusAsync(1, s => s.UpMembers == Nodes && s.Singleton is not null && s.Shards.Count > 0 && s.Shards.All(x => x.Leader is not null), TimeSpan.FromSeconds(60));
        _output.WriteLine($"formed after {clock.Elapsed.TotalSeconds:F1} s:\n{formed.Json}");
        Assert.Equal(Nodes, formed.UpMembers);
        Assert.All(formed.Shards, s => Assert.False(string.IsNullOrEmpty(s.Leader), $"shard {s.Id} has no leader"));
        // min-nr-of-members = 3 in the node files: the first shard map spreads over every node.
        Assert.Equal(Nodes, formed.Shards.Select(s => NodeOf(s.Leader!)).Distinct().Count());

        int victim = NodeOf(formed.Singleton!);
        int survivor = victim == 1 ? 2 : 1;
        int pid = int.Parse(File.ReadAllText(Path.Combine(_dir.Path, $"node{victim}.pid")).Trim(), CultureInfo.InvariantCulture);
        using (Process process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL: no leave, no hand-over
        }

        var sinceKill = Stopwatch.StartNew();
        _output.WriteLine($"kill -9 node{victim} (pid {pid}), the singleton's node; watching node{survivor}");

        // Polls past the limit so that a slow failover is measured and reported, not only failed.
        ClusterStatus after = await PollStatusAsync(survivor, s => s.Singleton is { } a && NodeOf(a) != victim, s_failoverLimit + TimeSpan.FromSeconds(30));
        TimeSpan failover = sinceKill.Elapsed;
        _output.WriteLine($"singleton on node{NodeOf(after.Singleton!)} {failover.TotalSeconds:F1} s after the kill:\n{after.Json}");

        Assert.True(failover <= s_failoverLimit, $"the singleton moved after {failover.TotalSeconds:F1} s (limit {s_failoverLimit.TotalSeconds} s)");
        Assert.DoesNotContain(after.Members, m => NodeOf(m.Address) == victim && m.Status == "up");
    }

    /// <summary>
    /// The acceptance run, smaller: YCSB workload A loads records into the replicated local
    /// cluster (RF 3, min-insync 2, default settings), then a run phase during which a node that
    /// does not run the version manager is killed with SIGKILL. The run completes without errors
    /// (clients fail over), every loaded record is readable (R1, R6), and the killed node, started
    /// again, rejoins every in-sync set (catch-up).
    /// </summary>
    [Fact]
    public async Task YcsbRun_Kill9OfANode_RunCompletesEveryRecordReadableAndNodeCatchesUp()
    {
        const int records = 5000;
        AssertClusterPortsFree();
        _started = true;
        (int code, string stdout, string stderr) = await ScriptAsync(["start", Nodes.ToString(CultureInfo.InvariantCulture)], s_scriptTimeout);
        Assert.True(code == 0, $"local-cluster.sh start exited {code}:\n{stdout}\n{stderr}");
        ClusterStatus formed = await PollStatusAsync(1, s => s.UpMembers == Nodes && s.Singleton is not null && s.Shards.Count > 0 && s.Shards.All(x => x.InSync.Count == Nodes), TimeSpan.FromSeconds(60));
        string endpoints = string.Join(',', Enumerable.Range(1, Nodes).Select(n => "127.0.0.1:" + (7400 + n).ToString(CultureInfo.InvariantCulture)));
        string workload = Path.Combine(RepoTools.Root, "..", "shared", "ycsb", "workloada");

        (code, stdout, stderr) = await CliAsync(["ycsb", "--workload", workload, "--phase", "load", "-p", "recordcount=" + records, "--threads", "4", "--endpoint", endpoints, "--no-progress"], TimeSpan.FromMinutes(5));
        _output.WriteLine($"ycsb load exited {code}:\n{stdout}");
        Assert.True(code == 0, $"ycsb load exited {code}:\n{stdout}\n{stderr}");
        long loaded = (await PollStatusAsync(1, _ => true, s_statusTimeout)).Shards.Sum(x => x.LastSequence);

        Task<(int, string, string)> run = CliAsync(
            ["ycsb", "--workload", workload, "--phase", "run", "-p", "recordcount=" + records, "-p", "operationcount=30000", "--threads", "4", "--endpoint", endpoints, "--no-progress"],
            TimeSpan.FromMinutes(5));
        int victim = Enumerable.Range(1, Nodes).First(n => n != NodeOf(formed.Singleton!));
        int watcher = NodeOf(formed.Singleton!);

        // Kill once the run has written a while (its updates raise the shards' last sequences).
        await PollStatusAsync(watcher, s => s.Shards.Sum(x => x.LastSequence) >= loaded + 2000 || run.IsCompleted, TimeSpan.FromMinutes(2));
        Assert.False(run.IsCompleted, "the run finished before the kill; make it longer");
        int pid = int.Parse(File.ReadAllText(Path.Combine(_dir.Path, $"node{victim}.pid")).Trim(), CultureInfo.InvariantCulture);
        using (Process process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL
        }

        var sinceKill = Stopwatch.StartNew();
        ClusterStatus failedOver = await PollStatusAsync(watcher, s => s.Shards.All(x => x.Leader is { } l && NodeOf(l) != victim), TimeSpan.FromSeconds(60));
        _output.WriteLine($"kill -9 node{victim}: every shard led by a live node after {sinceKill.Elapsed.TotalSeconds:F1} s");

        (code, stdout, stderr) = await run;
        _output.WriteLine($"ycsb run exited {code}:\n{stdout}");
        Assert.True(code == 0, $"ycsb run exited {code}:\n{stdout}\n{stderr}");
        Assert.DoesNotContain("Return=ERROR", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await CliAsync(["scan", "--count", "--endpoint", endpoints], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"scan --count exited {code}: {stdout}{stderr}");
        Assert.Equal(records.ToString(CultureInfo.InvariantCulture), stdout.Trim());

        (code, stdout, stderr) = await ScriptAsync(["start", Nodes.ToString(CultureInfo.InvariantCulture)], s_scriptTimeout);
        Assert.True(code == 0, $"restart of node{victim} exited {code}:\n{stdout}\n{stderr}");
        string victimRemote = "127.0.0.1:" + (2550 + victim).ToString(CultureInfo.InvariantCulture);
        ClusterStatus rejoined = await PollStatusAsync(watcher, s => s.UpMembers == Nodes && s.Shards.All(x => x.InSync.Count == Nodes), TimeSpan.FromSeconds(90));
        Assert.All(rejoined.Shards, x => Assert.Contains(victimRemote, x.InSync));
        Assert.NotEmpty(failedOver.Shards);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(string[] args, TimeSpan timeout) =>
        RepoTools.RunAsync("dotnet", [RepoTools.CliDll, .. args], new Dictionary<string, string>(), timeout);

    private Task<(int ExitCode, string Stdout, string Stderr)> ScriptAsync(string[] args, TimeSpan timeout) =>
        RepoTools.RunAsync(
            "bash",
            ["deploy/local-cluster.sh", .. args],
            new Dictionary<string, string>
            {
                ["ACTORLSM_CLUSTER_DIR"] = _dir.Path,
                ["ACTORLSM_SERVER"] = RepoTools.ServerExecutable,
                ["ACTORLSM_CLUSTER_TIMEOUT"] = "120",
            },
            timeout);

    /// <summary>
    /// Runs <c>actorlsm status --json</c> against node <paramref name="node"/> until
    /// <paramref name="done"/> holds; a failed run or unparsable output counts as not done. Throws
    /// with the last answer and the node logs past <paramref name="timeout"/>.
    /// </summary>
    private async Task<ClusterStatus> PollStatusAsync(int node, Func<ClusterStatus, bool> done, TimeSpan timeout)
    {
        string endpoint = "127.0.0.1:" + (7400 + node).ToString(CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        string last = "(no answer yet)";
        while (deadline.Elapsed < timeout)
        {
            (int code, string stdout, string stderr) = await RepoTools.RunAsync(
                "dotnet", [RepoTools.CliDll, "status", "--json", "--endpoint", endpoint], new Dictionary<string, string>(), s_statusTimeout);
            if (code == 0 && ClusterStatus.TryParse(stdout, out ClusterStatus? status))
            {
                if (done(status))
                {
                    return status;
                }

                last = stdout;
            }
            else
            {
                last = $"exit {code}: {stdout}{stderr}";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)); // poll interval of a loop bounded by the deadline
        }

        throw new TimeoutException($"status of {endpoint} not as expected after {timeout.TotalSeconds} s; last answer:\n{last}\n{Logs()}");
    }

    private string Logs()
    {
        var text = new StringBuilder();
        for (int node = 1; node <= Nodes; node++)
        {
            string log = Path.Combine(_dir.Path, $"node{node}.log");
            if (File.Exists(log))
            {
                string[] lines = File.ReadAllLines(log);
                text.AppendLine($"---- node{node}.log (last 40 of {lines.Length} lines)");
                foreach (string line in lines.TakeLast(40))
                {
                    text.AppendLine(line);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Node number of an address naming a remoting port 2551-2553 (<c>127.0.0.1:2552</c>, <c>127.0.0.1:2552:uid</c>) or a client port 7401-7403.</summary>
    private static int NodeOf(string address)
    {
        string[] parts = address.Split(':');
        int port = parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : -1;
        int node = port is > 2550 and <= 2550 + Nodes ? port - 2550 : port is > 7400 and <= 7400 + Nodes ? port - 7400 : -1;
        return node > 0 ? node : throw new FormatException($"'{address}' names no node of the local cluster");
    }

    private static void AssertClusterPortsFree()
    {
        int[] ports = [.. Enumerable.Range(7401, Nodes), .. Enumerable.Range(2551, Nodes)];
        foreach (int port in ports)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                Assert.Fail($"port {port} of 127.0.0.1 is in use ({ex.SocketErrorCode}); is a local cluster running? (deploy/local-cluster.sh stop)");
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    /// <summary>SIGKILL of every node whose pid file is still there and names a live actorlsm-server (the script's stop failed or timed out).</summary>
    private void KillLeftovers()
    {
        if (!Directory.Exists(_dir.Path))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(_dir.Path, "node*.pid"))
        {
            if (!int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                using Process process = Process.GetProcessById(pid);
                if (process.ProcessName.StartsWith("actorlsm-server", StringComparison.Ordinal))
                {
                    process.Kill();
                    process.WaitForExit(TimeSpan.FromSeconds(30));
                    _output.WriteLine($"killed leftover node (pid {pid})");
                }
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
    }

    private sealed record MemberRow(string Address, string Status, bool Reachable);

    private sealed record ShardRow(int Id, string? Leader, IReadOnlyList<string> InSync, long LastSequence);

    /// <summary>The parts of <c>actorlsm status --json</c> this test reads: members, singleton, shards.</summary>
    private sealed record ClusterStatus(IReadOnlyList<MemberRow> Members, string? Singleton, IReadOnlyList<ShardRow> Shards, string Json)
    {
        public int UpMembers => Members.Count(m => m.Status == "up");

        public static bool TryParse(string json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClusterStatus? status)
        {
            status = null;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(json);
                JsonElement root = doc.RootElement;
                if (!root.TryGetProperty("members", out JsonElement members) || !root.TryGetProperty("shards", out JsonElement shards))
                {
                    return false;
                }

                var memberRows = members.EnumerateArray()
                    .Select(m => new MemberRow(
                        m.GetProperty("address").GetString() ?? "",
                        (m.GetProperty("status").GetString() ?? "").ToLowerInvariant(),
                        m.TryGetProperty("reachable", out JsonElement r) && r.ValueKind == JsonValueKind.True))
                    .ToList();
                string? singleton = root.TryGetProperty("singleton", out JsonElement s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } a ? a : null;
                var shardRows = shards.EnumerateArray()
                    .Select(x => new ShardRow(
                        x.GetProperty("id").GetInt32(),
                        x.TryGetProperty("leader", out JsonElement l) && l.ValueKind == JsonValueKind.String && l.GetString() is { Length: > 0 } leader ? leader : null,
                        x.TryGetProperty("inSync", out JsonElement isr) ? [.. isr.EnumerateArray().Select(e => e.GetString() ?? "")] : [],
                        x.TryGetProperty("lastSequence", out JsonElement seq) ? seq.GetInt64() : 0))
                    .ToList();
                status = new ClusterStatus(memberRows, singleton, shardRows, json);
                return true;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                return false;
            }
        }
    }
}
