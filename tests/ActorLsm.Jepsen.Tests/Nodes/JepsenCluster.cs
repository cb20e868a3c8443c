using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActorLsm.Client;
using ActorLsm.Jepsen.Tests.Net;
using ActorLsm.Protocol;
using ActorLsm.Storage;

namespace ActorLsm.Jepsen.Tests.Nodes;

/// <summary>
/// Three actorlsm-server processes in a <see cref="NetworkLab"/>, and what the harness asks of them:
/// start, kill -9, pause, restart, the cluster status seen from each node, waiting until the cluster
/// is whole again, and the content digest of every shard replica. Owns the lab and a temporary
/// directory (data, configs, logs) kept when <see cref="KeepFiles"/> is set (a failed run) and
/// deleted otherwise. <see cref="DisposeAsync"/> always kills every node and removes the namespaces.
/// </summary>
internal sealed class JepsenCluster : IAsyncDisposable
{
    private static readonly TimeSpan s_statusTimeout = TimeSpan.FromSeconds(2);
    private readonly NetworkLab _lab;
    private readonly NodeProcess[] _nodes;
    private readonly ActorLsmClient[] _statusClients;
    private readonly string _serverDll;
    private readonly Action<string> _log;

    private JepsenCluster(NetworkLab lab, string dir, string serverDll, Action<string> log)
    {
        _lab = lab;
        Directory = dir;
        _serverDll = serverDll;
        _log = log;
        // hocon/nodeK.conf's seeds: every node (the fix for KnownAnomalies.ClusterCanStayStuckAfterDowning);
        // ACTORLSM_JEPSEN_TWO_SEEDS=1 lists only nodes 1 and 2, the old layout that could stay split.
        string[] seeds = Environment.GetEnvironmentVariable("ACTORLSM_JEPSEN_TWO_SEEDS") == "1"
            ? [lab.NodeAddress(1), lab.NodeAddress(2)]
            : [.. Enumerable.Range(1, ClusterLayout.Nodes).Select(lab.NodeAddress)];
        _nodes = new NodeProcess[ClusterLayout.Nodes];
        _statusClients = new ActorLsmClient[ClusterLayout.Nodes];
        for (int i = 0; i < ClusterLayout.Nodes; i++)
        {
            int index = i + 1;
            string address = lab.NodeAddress(index);
            string data = Path.Combine(dir, $"node{index}");
            string config = Path.Combine(dir, $"node{index}.conf");
            File.WriteAllText(config, ClusterLayout.NodeConfig(index, address, data, seeds));
            _nodes[i] = new NodeProcess(index, lab.Namespace(index), address, config, data, Path.Combine(dir, $"node{index}.log"));
            _statusClients[i] = new ActorLsmClient(new ActorLsmClientOptions
            {
                Endpoints = [_nodes[i].Endpoint],
                ShardRouting = false,
                ConnectionsPerEndpoint = 1,
                RequestTimeout = s_statusTimeout,
                ConnectTimeout = TimeSpan.FromSeconds(1),
            });
        }
    }

    /// <summary>Data, configs and logs of the nodes.</summary>
    public string Directory { get; }

    public NetworkLab Lab => _lab;

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Every node's client endpoint (for the workload clients).</summary>
    public IReadOnlyList<string> Endpoints => [.. _nodes.Select(n => n.Endpoint)];

    /// <summary>Keep the directory at dispose (set when a run fails, so its logs can be read).</summary>
    public bool KeepFiles { get; set; }

    /// <summary>Builds the lab and starts the three nodes; returns once the cluster is whole (<see cref="WaitHealthyAsync"/>).</summary>
    public static async Task<JepsenCluster> StartAsync(Action<string> log, TimeSpan timeout)
    {
        NetworkLab lab = NetworkLab.Create(ClusterLayout.Nodes);
        string dir = Path.Combine(Path.GetTempPath(), "actorlsm-jepsen", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var cluster = new JepsenCluster(lab, dir, ServerDll(), log);
        try
        {
            log($"seeds: {string.Join(", ", cluster._nodes.Where(n => File.ReadAllText(n.ConfigFile).Contains($"@{lab.NodeAddress(n.Index)}:", StringComparison.Ordinal)).Select(n => "node" + n.Index))}");
            log($"lab: namespaces {lab.Namespace(1)}..{ClusterLayout.Nodes}, nodes 10.77.{lab.Subnet}.1-{ClusterLayout.Nodes}, harness {lab.HostAddress}; files {dir}");
            foreach (NodeProcess node in cluster._nodes)
            {
                node.Start(cluster._serverDll);
            }

            await cluster.WaitHealthyAsync(timeout);
            return cluster;
        }
        catch
        {
            cluster.KeepFiles = true;
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node whose remoting or client address names <paramref name="address"/> (<c>host:port[:uid]</c>); null when none.</summary>
    public NodeProcess? NodeOf(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        string host = address.Split(':')[0];
        return _nodes.FirstOrDefault(n => n.Address == host);
    }

    /// <summary>Starts node <paramref name="node"/> again if it is not running (after a kill, or after it exited when downed).</summary>
    public void Restart(NodeProcess node)
    {
        if (!node.Running)
        {
            _log($"node{node.Index}: start (last exit code {node.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
            node.Start(_serverDll);
        }
    }

    /// <summary>
    /// The operator's last resort when the cluster does not become whole by itself: heals the network,
    /// kill -9 of every node, then starts all three from their data directories.
    /// </summary>
    public void RestartAll()
    {
        _lab.HealAll();
        foreach (NodeProcess node in _nodes)
        {
            if (node.Paused)
            {
                node.Resume();
            }

            node.Kill();
        }

        foreach (NodeProcess node in _nodes)
        {
            Restart(node);
        }
    }

    /// <summary>The cluster status as node <paramref name="node"/> sees it, or null when it does not answer within 2 s.</summary>
    public async Task<ClusterStatusResponse?> ClusterStatusAsync(NodeProcess node)
    {
        if (!node.Running || node.Paused)
        {
            return null;
        }

        try
        {
            return await _statusClients[node.Index - 1].ClusterStatusAsync();
        }
        catch (Exception e) when (IsTransient(e))
        {
            return null;
        }
    }

    /// <summary>The first answer among the running nodes, or null.</summary>
    public async Task<ClusterStatusResponse?> AnyClusterStatusAsync()
    {
        foreach (NodeProcess node in _nodes)
        {
            if (await ClusterStatusAsync(node) is { } status)
            {
                return status;
            }
        }

        return null;
    }

    /// <summary>
    /// Restarts every node that is not running, then waits until every node answers and sees three up,
    /// reachable members, a version manager, and every shard available with all three replicas in its
    /// in-sync set. Throws <see cref="TimeoutException"/> with the last answers and log tails past <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "(no answer)";
        while (clock.Elapsed < timeout)
        {
            foreach (NodeProcess node in _nodes)
            {
                Restart(node);
            }

            string? problem = null;
            foreach (NodeProcess node in _nodes)
            {
                ClusterStatusResponse? status = await ClusterStatusAsync(node);
                problem = status is null ? $"node{node.Index} does not answer" : Unhealthy(status);
                if (problem is not null)
                {
                    problem = $"node{node.Index}'s view: {problem}";
                    break;
                }
            }

            if (problem is null)
            {
                return clock.Elapsed;
            }

            if (problem != last)
            {
                _log($"  waiting for the cluster ({clock.Elapsed.TotalSeconds:F1} s): {problem}");
            }

            last = problem;
            await Task.Delay(200); // poll interval; the loop is bounded by the timeout
        }

        throw new TimeoutException($"the cluster was not whole after {timeout.TotalSeconds:F0} s; last: {last}\n{LogTails(25)}");
    }

    /// <summary>
    /// Waits until every replica of every shard has the same last sequence number as the shard's
    /// leader (each node's own StatusResponse), so a digest compares finished replicas.
    /// </summary>
    public async Task WaitReplicasConvergedAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string last = "(no answer)";
        while (clock.Elapsed < timeout)
        {
            var sequences = new Dictionary<(int Node, uint Shard), ulong>();
            bool all = true;
            foreach (NodeProcess node in _nodes)
            {
                StatusResponse? status = null;
                try
                {
                    status = await _statusClients[node.Index - 1].StatusAsync();
                }
                catch (Exception e) when (IsTransient(e))
                {
                    all = false;
                }

                foreach (ShardStatus shard in status?.Shards ?? [])
                {
                    sequences[(node.Index, shard.Id)] = shard.LastSequence;
                }
            }

            var differing = sequences.GroupBy(kv => kv.Key.Shard)
                .Where(g => g.Select(kv => kv.Value).Distinct().Count() > 1 || g.Count() != ClusterLayout.Nodes)
                .Select(g => $"shard {g.Key}: {string.Join(' ', g.OrderBy(kv => kv.Key.Node).Select(kv => $"n{kv.Key.Node}={kv.Value}"))}")
                .ToList();
            if (all && sequences.Count > 0 && differing.Count == 0)
            {
                return;
            }

            last = all ? string.Join("; ", differing) : "a node does not answer";
            await Task.Delay(200); // poll interval; the loop is bounded by the timeout
        }

        throw new TimeoutException($"replicas did not converge within {timeout.TotalSeconds:F0} s: {last}");
    }

    /// <summary>
    /// SIGKILLs every node, then reads every shard replica: its directory is copied (the original is
    /// never opened), the copy opened with <see cref="LsmStore"/> (WAL replay included), every entry
    /// scanned into a SHA-256 over (key length, key, value length, value). Returns digest per (shard, node).
    /// </summary>
    public IReadOnlyDictionary<(int Shard, int Node), ReplicaDigest> StopAndDigest()
    {
        foreach (NodeProcess node in _nodes)
        {
            if (node.Paused)
            {
                node.Resume();
            }

            node.Kill();
        }

        var digests = new Dictionary<(int, int), ReplicaDigest>();
        string scratch = Path.Combine(Directory, "digest");
        foreach (NodeProcess node in _nodes)
        {
            for (int shard = 0; shard < ClusterLayout.ShardCount; shard++)
            {
                string source = Path.Combine(node.DataDir, "shard-" + shard.ToString("D2", CultureInfo.InvariantCulture));
                if (!System.IO.Directory.Exists(source))
                {
                    continue;
                }

                string copy = Path.Combine(scratch, $"node{node.Index}-shard{shard}");
                CopyDirectory(source, copy);
                digests[(shard, node.Index)] = Digest(copy);
                System.IO.Directory.Delete(copy, recursive: true);
            }
        }

        return digests;
    }

    /// <summary>The last <paramref name="lines"/> lines of every node's log.</summary>
    public string LogTails(int lines) =>
        string.Join('\n', _nodes.Select(n => $"---- node{n.Index} ({n.LogFile}), running {n.Running}, exit {n.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}\n{n.Tail(lines)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (NodeProcess node in _nodes)
        {
            try
            {
                if (node.Paused)
                {
                    node.Resume();
                }

                node.Kill();
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }

        foreach (ActorLsmClient client in _statusClients)
        {
            await client.DisposeAsync();
        }

        _lab.Dispose();
        if (!KeepFiles)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // the OS temp cleaner takes the rest
            }
        }
    }

    /// <summary>Why <paramref name="status"/> is not a whole cluster, or null when it is.</summary>
    private static string? Unhealthy(ClusterStatusResponse status)
    {
        int up = status.Members.Count(m => m.Status == "up" && m.Reachable);
        if (up != ClusterLayout.Nodes || status.Members.Count != ClusterLayout.Nodes)
        {
            return $"members {string.Join(", ", status.Members.Select(m => $"{m.Address} {m.Status}{(m.Reachable ? "" : " unreachable")}"))}";
        }

        if (string.IsNullOrEmpty(status.Singleton))
        {
            return "no version manager";
        }

        if (status.Shards.Count != ClusterLayout.ShardCount)
        {
            return $"{status.Shards.Count} shards in the map";
        }

        ClusterShard? bad = status.Shards.FirstOrDefault(s => !s.Available || string.IsNullOrEmpty(s.Leader) || s.InSync.Count != ClusterLayout.Nodes);
        return bad is null ? null : $"shard {bad.Id}: leader '{bad.Leader}', available {bad.Available}, in-sync [{string.Join(", ", bad.InSync)}]";
    }

    private static bool IsTransient(Exception e) =>
        e is ActorLsmConnectionException or TimeoutException or ActorLsmException or OperationCanceledException or IOException or System.Net.Sockets.SocketException;

    private static ReplicaDigest Digest(string dir)
    {
        using var store = LsmStore.Open(dir, new LsmOptions { CreateIfMissing = false });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        long entries = 0;
        foreach (KeyValuePair<byte[], byte[]> entry in store.Scan(null, null))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, entry.Key.Length);
            sha.AppendData(length);
            sha.AppendData(entry.Key);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, entry.Value.Length);
            sha.AppendData(length);
            sha.AppendData(entry.Value);
            entries++;
        }

        return new ReplicaDigest(Convert.ToHexString(sha.GetHashAndReset())[..16], entries, store.LastSequence);
    }

    private static void CopyDirectory(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (string file in System.IO.Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (string sub in System.IO.Directory.GetDirectories(source))
        {
            CopyDirectory(sub, Path.Combine(target, Path.GetFileName(sub)));
        }
    }

    private static string ServerDll()
    {
        // .../tests/ActorLsm.Jepsen.Tests/bin/<Configuration>/<framework>/ → src/ActorLsm.Server/bin/<Configuration>/<framework>/.
        string baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string framework = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        string repo = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", "..", ".."));
        string dll = Path.Combine(repo, "src", "ActorLsm.Server", "bin", configuration, framework, "actorlsm-server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"actorlsm-server not built at {dll}");
    }
}

/// <summary>A shard replica's content: a SHA-256 prefix over its entries in key order, the entry count and its last sequence number.</summary>
internal sealed record ReplicaDigest(string Sha256, long Entries, ulong LastSequence)
{
    public override string ToString() => $"{Sha256} ({Entries} entries, seq {LastSequence})";
}

/// <summary>Text helpers for the harness's reports.</summary>
internal static class Text
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
