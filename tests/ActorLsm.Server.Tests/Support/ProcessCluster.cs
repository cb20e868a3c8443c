using System.Globalization;
using ActorLsm.Server.Tests.Replication;
using ActorLsm.Testing;

namespace ActorLsm.Server.Tests.Support;

/// <summary>
/// Three <c>actorlsm-server</c> processes (<see cref="ServerProcess"/>) on 127.0.0.1 forming one Akka
/// cluster, every port picked free (client, Akka.Remote and RESP per node; never the local cluster's
/// fixed ones). Node i keeps its data in <c>Root/node{i}</c>. Each process is killed (SIGKILL) when the
/// cluster is disposed.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public const int Nodes = 3;
    private readonly TempDir _dir = new();
    private readonly ServerProcess?[] _processes = new ServerProcess?[Nodes];

    public ProcessCluster()
    {
        int[] ports = ReplicatedCluster.FreePorts(3 * Nodes);
        ClientPorts = ports[..Nodes];
        RemotePorts = ports[Nodes..(2 * Nodes)];
        RespPorts = ports[(2 * Nodes)..];
    }

    /// <summary>The temporary directory of the nodes' data, configuration and certificates.</summary>
    public string Root => _dir.Path;

    public int[] ClientPorts { get; }

    public int[] RemotePorts { get; }

    public int[] RespPorts { get; }

    /// <summary>Node <paramref name="i"/>'s process, null before it started.</summary>
    public ServerProcess? this[int i] => _processes[i];

    public string DataDir(int i) => Path.Combine(Root, "node" + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// A plain node's HOCON: its ports, seeds at nodes 0 and 1, min-nr-of-members 3 (so the first shard map
    /// spreads over all three), 4 shards, small stores, Akka's fast test timings
    /// (<see cref="FastClusterTimings"/>) and its RESP listener.
    /// </summary>
    public string NodeHocon(int i) => FastClusterTimings.Hocon + "\n" + string.Create(CultureInfo.InvariantCulture, $$"""
        actorlsm {
          server { host = "127.0.0.1", port = {{ClientPorts[i]}}, request-timeout = 20s }
          node.shard-count = 4
          storage { memtable-size = 1MiB, block-cache-size = 1MiB }
          resp.port = {{RespPorts[i]}}
        }
        akka {
          loglevel = WARNING
          remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{RemotePorts[i]}} }
          cluster {
            seed-nodes = ["akka.tcp://actorlsm@127.0.0.1:{{RemotePorts[0]}}", "akka.tcp://actorlsm@127.0.0.1:{{RemotePorts[1]}}"]
            min-nr-of-members = 3
          }
        }
        """);

    /// <summary>Writes every node's <see cref="NodeHocon"/> to <c>Root/node{i}.conf</c> and starts the three nodes.</summary>
    public Task StartAsync() => StartAsync(i =>
    {
        string file = Path.Combine(Root, $"node{i}.conf");
        File.WriteAllText(file, NodeHocon(i));
        return file;
    });

    /// <summary>
    /// Starts the three nodes at once (none is up before all three have joined) with the configuration
    /// file <paramref name="configFileOf"/>(i), in <paramref name="workingDirectory"/> (null: this process's),
    /// and waits until each says it is an up member.
    /// </summary>
    public async Task StartAsync(Func<int, string> configFileOf, string? workingDirectory = null)
    {
        await Task.WhenAll(Enumerable.Range(0, Nodes).Select(async i =>
            _processes[i] = await ServerProcess.StartInAsync(workingDirectory, "--config", configFileOf(i), "--data-dir", DataDir(i))));
        foreach (ServerProcess node in _processes!)
        {
            await node!.WhenMemberUp.WaitAsync(TimeSpan.FromSeconds(90));
        }
    }

    /// <summary>kill -9 of node <paramref name="i"/>; waits for its exit.</summary>
    public async Task KillAsync(int i)
    {
        ServerProcess node = _processes[i] ?? throw new InvalidOperationException($"node {i} is not running");
        node.Kill();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Every node's stderr (its log), for failure messages.</summary>
    public string Logs => string.Join("\n", _processes.Select((p, i) => $"---- node{i}:\n{p?.Stderr}"));

    public async ValueTask DisposeAsync()
    {
        foreach (ServerProcess? node in _processes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _dir.Dispose();
    }
}
