using System.Globalization;
using System.Text;

namespace ActorLsm.Jepsen.Tests.Nodes;

/// <summary>
/// The harness's cluster: three nodes, one per namespace, every node on the same fixed ports of its own
/// address (namespaces do not share ports). The HOCON each node gets is written by <see cref="NodeConfig"/>:
/// the layout of hocon/node1.conf (seeds node 1 and 2, min-nr-of-members 3), with the harness's addresses,
/// and a faster failure detection than the defaults so that a fault cycle fits a CI budget (printed with
/// every result table).
/// </summary>
internal static class ClusterLayout
{
    public const int Nodes = 3;
    public const int ClientPort = 7400;
    public const int RemotePort = 2551;

    /// <summary>Shards per node: a few, so the digest and the catch-up stay quick.</summary>
    public const int ShardCount = 8;

    /// <summary>Akka's split-brain resolver stable-after (Akka and reference.conf: 20s). The time a node must stay unreachable before it is downed.</summary>
    public const string StableAfter = "5s";

    /// <summary>Akka's failure-detector acceptable-heartbeat-pause (Akka default 3s, kept).</summary>
    public const string AcceptableHeartbeatPause = "3s";

    /// <summary>
    /// The settings that differ from a default deployment, for the report: a result without them is
    /// not comparable with one that has them.
    /// </summary>
    public static string Settings =>
        $"3 nodes, {ShardCount} shards, RF 3, min-insync 2, split-brain-resolver.stable-after = {StableAfter}, failure-detector.acceptable-heartbeat-pause = {AcceptableHeartbeatPause}";

    /// <summary>HOCON for node <paramref name="index"/> at <paramref name="address"/>, with seeds at <paramref name="seedAddresses"/>.</summary>
    public static string NodeConfig(int index, string address, string dataDir, IReadOnlyList<string> seedAddresses)
    {
        string seeds = string.Join(", ", seedAddresses.Select(a => $"\"akka.tcp://actorlsm@{a}:{RemotePort.ToString(CultureInfo.InvariantCulture)}\""));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            # Written by the Jepsen-style harness (tests/ActorLsm.Jepsen.Tests) for node {{index}}.
            actorlsm {
              server {
                host = "{{address}}"
                port = {{ClientPort}}
              }
              node {
                data-dir = "{{dataDir}}"
                shard-count = {{ShardCount}}
              }
              # The nodes listen on a private address of the harness's own namespaces, with no users.
              security.protected-mode = off
            }
            akka {
              remote.dot-netty.tcp {
                hostname = "{{address}}"
                port = {{RemotePort}}
              }
              cluster {
                seed-nodes = [{{seeds}}]
                min-nr-of-members = 3
                failure-detector.acceptable-heartbeat-pause = {{AcceptableHeartbeatPause}}
                split-brain-resolver.stable-after = {{StableAfter}}
              }
            }

            """);
        return text.ToString();
    }
}
