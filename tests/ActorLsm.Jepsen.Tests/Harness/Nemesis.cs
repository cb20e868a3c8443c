using System.Diagnostics;
using System.Globalization;
using ActorLsm.Jepsen.Tests.Nodes;
using ActorLsm.Protocol;

namespace ActorLsm.Jepsen.Tests.Harness;

/// <summary>The faults of the schedule (Jepsen's nemeses).</summary>
public enum FaultKind
{
    /// <summary>A node's bridge port goes down: it reaches no one and no one (clients included) reaches it.</summary>
    IsolateNode,

    /// <summary>iptables DROP between one node and the other two; clients still reach all three.</summary>
    SplitTwoOne,

    /// <summary>kill -9 of a random node, restart after a while.</summary>
    Kill9Restart,

    /// <summary>SIGSTOP of the node leading most shards, longer than failure detection plus stable-after, then SIGCONT.</summary>
    PauseLeader,

    /// <summary>kill -9 of the node running the version manager (the cluster singleton), restart after a while.</summary>
    Kill9VersionManager,

    /// <summary>kill -9 and restart of a node, then, while it is still catching up, kill -9 of another.</summary>
    SecondFailureDuringCatchUp,
}

/// <summary>How long faults last: the CI schedule is short; the soak also holds faults shorter and longer than failure detection.</summary>
/// <param name="MinHold">Shortest time a partition, isolation or kill lasts before healing or restart.</param>
/// <param name="MaxHold">Longest such time.</param>
/// <param name="Pause">How long SIGSTOP lasts (longer than acceptable-heartbeat-pause plus stable-after, so the paused node is downed).</param>
public sealed record FaultTimings(TimeSpan MinHold, TimeSpan MaxHold, TimeSpan Pause)
{
    /// <summary>CI: 3-6 s holds, a 10 s pause.</summary>
    public static FaultTimings Short { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10));

    /// <summary>Soak: 2-10 s holds (some shorter than detection, some far longer), a 12 s pause.</summary>
    public static FaultTimings Soak { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12));
}

/// <summary>Applies one fault to a <see cref="JepsenCluster"/> and heals it; returns what it did, for the log.</summary>
internal sealed class Nemesis
{
    private readonly JepsenCluster _cluster;
    private readonly FaultTimings _timings;
    private readonly Random _rng;
    private readonly Action<string> _log;

    public Nemesis(JepsenCluster cluster, FaultTimings timings, Random rng, Action<string> log)
    {
        _cluster = cluster;
        _timings = timings;
        _rng = rng;
        _log = log;
    }

    /// <summary>Runs <paramref name="fault"/> to its heal (partitions removed, killed nodes restarted); returns a one-line description.</summary>
    public async Task<string> RunAsync(FaultKind fault)
    {
        TimeSpan hold = _timings.MinHold + TimeSpan.FromMilliseconds(_rng.NextDouble() * (_timings.MaxHold - _timings.MinHold).TotalMilliseconds);
        string holdText = hold.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        switch (fault)
        {
            case FaultKind.IsolateNode:
            {
                NodeProcess node = RandomNode();
                _log($"nemesis: link down node{node.Index} for {holdText}");
                _cluster.Lab.SetLink(node.Index, up: false);
                await Task.Delay(hold);
                _cluster.Lab.SetLink(node.Index, up: true);
                return $"isolated node{node.Index} {holdText}";
            }

            case FaultKind.SplitTwoOne:
            {
                NodeProcess minority = RandomNode();
                int[] majority = [.. _cluster.Nodes.Where(n => n != minority).Select(n => n.Index)];
                _log($"nemesis: split [node{minority.Index}] | [{string.Join(',', majority.Select(i => "node" + i))}] for {holdText}");
                _cluster.Lab.Partition([minority.Index], majority);
                await Task.Delay(hold);
                _cluster.Lab.HealAll();
                return $"split node{minority.Index} from the others {holdText}";
            }

            case FaultKind.Kill9Restart:
            {
                NodeProcess node = RandomNode();
                return await KillAndRestartAsync(node, hold, "");
            }

            case FaultKind.PauseLeader:
            {
                NodeProcess node = await MostLeadershipsAsync() ?? RandomNode();
                string pause = _timings.Pause.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
                _log($"nemesis: SIGSTOP node{node.Index} (pid {node.Pid}) for {pause}");
                node.Pause();
                await Task.Delay(_timings.Pause);
                node.Resume();
                return $"paused node{node.Index} (leader of most shards) {pause}";
            }

            case FaultKind.Kill9VersionManager:
            {
                ClusterStatusResponse? status = await _cluster.AnyClusterStatusAsync();
                NodeProcess node = _cluster.NodeOf(status?.Singleton) ?? RandomNode();
                return await KillAndRestartAsync(node, hold, status?.Singleton is { Length: > 0 } ? " (version manager)" : " (version manager unknown: random node)");
            }

            case FaultKind.SecondFailureDuringCatchUp:
            {
                NodeProcess first = RandomNode();
                NodeProcess second = (await MostLeadershipsAsync(exclude: first)) ?? _cluster.Nodes.First(n => n != first);
                string one = await KillAndRestartAsync(first, hold, "");
                string when = await WaitCatchingUpAsync(first);
                TimeSpan secondHold = _timings.MinHold;
                string two = await KillAndRestartAsync(second, secondHold, $" {when}");
                return $"{one}; then {two}";
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }

    private async Task<string> KillAndRestartAsync(NodeProcess node, TimeSpan hold, string note)
    {
        string holdText = hold.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";
        _log($"nemesis: kill -9 node{node.Index} (pid {node.Pid}){note}, restart after {holdText}");
        node.Kill();
        await Task.Delay(hold);
        _cluster.Restart(node);
        return $"kill -9 node{node.Index}{note}, restart after {holdText}";
    }

    /// <summary>
    /// Waits (up to 30 s) until <paramref name="node"/> is an up member again while some shard's in-sync
    /// set still lacks it, i.e. it is catching up; returns which it saw.
    /// </summary>
    private async Task<string> WaitCatchingUpAsync(NodeProcess node)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            ClusterStatusResponse? status = await _cluster.ClusterStatusAsync(node);
            if (status is not null && status.Members.Any(m => _cluster.NodeOf(m.Address) == node && m.Status == "up"))
            {
                int lagging = status.Shards.Count(s => !s.InSync.Any(a => _cluster.NodeOf(a) == node));
                return lagging > 0
                    ? $"while node{node.Index} was catching up ({lagging} shards without it in sync)"
                    : $"after node{node.Index} had caught up (no lag seen)";
            }

            await Task.Delay(100); // poll interval, bounded
        }

        return $"while node{node.Index} was still not up";
    }

    private NodeProcess RandomNode() => _cluster.Nodes[_rng.Next(_cluster.Nodes.Count)];

    private async Task<NodeProcess?> MostLeadershipsAsync(NodeProcess? exclude = null)
    {
        ClusterStatusResponse? status = await _cluster.AnyClusterStatusAsync();
        return status?.Shards
            .Select(s => _cluster.NodeOf(s.Leader))
            .Where(n => n is not null && n != exclude)
            .GroupBy(n => n!.Index)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .Select(g => g.First())
            .FirstOrDefault();
    }
}
