using System.Globalization;
using System.Text;
using Akka.Configuration;

namespace ActorLsm.Cluster;

/// <summary>
/// The cluster project's reference configuration (Akka HOCON): every <c>actorlsm.cluster</c> key
/// with its default and a comment, and every <c>akka</c> key whose Akka default we override, with
/// the reason. Use it as the last fallback of an actor system's configuration
/// (<see cref="Hosting.ClusterHost.ComposeConfig"/> does). Akka's own defaults (akka.cluster,
/// akka.remote, akka.cluster.singleton) are loaded by the Akka extensions themselves.
/// </summary>
public static class ClusterReferenceConfig
{
    private const string Body = """
        # ActorLsm cluster: reference configuration (Akka HOCON). Durations take units (100ms, 1s).
        actorlsm.cluster {
          # ---- version-manager singleton (Singleton/SingletonSettings.cs) ----------------------------
          versions {
            # How often the version manager broadcasts cluster versions and the shard map when nothing
            # changed (it also broadcasts at once on every change). One version is handed out per tick.
            broadcast-interval = 500ms

            # How far the durable version ceiling is raised at a time (tektite's counter with jumps).
            # The ceiling is persisted on a majority before a version at or above it is handed out, and
            # a new singleton starts at the recovered ceiling, so versions never go backwards.
            ceiling-jump = 10000
          }

          singleton {
            # How long a new version manager waits for a majority of epoch (and persist)
            # acknowledgements before it retries with a higher epoch (or resends). Hand-over itself is
            # Akka's ClusterSingletonManager (akka.cluster.singleton.*).
            epoch-ack-timeout = 2s

            # How long after the member that ran the version manager was removed (crashed and downed) the
            # next oldest member starts a new one (Akka's singleton removal-margin, for this singleton only).
            # Akka's default is the split-brain resolver's stable-after (20 s unless set), which it spends a second
            # time after the removal, so that the old singleton has surely stopped; ours may still run on a
            # downed node that has not noticed, and that is safe: it cannot get a majority's promise for
            # its epoch (PROTOCOL.md R8). 0s: Akka's default.
            removal-margin = 100ms
          }

          # Dispatcher of the per-member actor (/user/actorlsm-cluster-member): it fsyncs the accepted
          # epoch and the persisted manager state before it answers, so it gets a thread of its own
          # instead of blocking the default dispatcher.
          member-dispatcher {
            type = PinnedDispatcher
          }

          # ---- replicated shards (Sharding/ReplicationSettings.cs; protocol in PROTOCOL.md) ----------
          replication {
            # Replicas per shard (leader + followers) on distinct nodes; capped by the number of Up
            # nodes when the shard map is made. 1 turns replication off.
            factor = 3

            # A write is acknowledged only when the shard's in-sync set has at least this many members
            # (and every member has the write on disk); below it writes fail with NOT_ENOUGH_REPLICAS.
            # Capped by the factor.
            min-insync-replicas = 2

            # A follower that has not caught up with the leader's log for this long is removed from
            # the in-sync set (Kafka's replica.lag.time.max.ms, whose default is 30s).
            replica-lag-time-max = 10s

            # How often a leader's replicator sends an empty append (heartbeat, carrying the high
            # watermark) to an idle follower; also how often the leader re-checks its in-sync set.
            heartbeat-interval = 200ms

            # A replicator that got no answer for this long probes its follower again (lost message or
            # restarted follower).
            resend-timeout = 2s

            # R10 read lease: a leader serves a read only while every other member of its in-sync set
            # acknowledged an append the leader sent less than this long ago, and a replica that
            # acknowledged one leader supports no newer leader (neither acknowledges its appends nor
            # leads) until 1.1 x this long after its last acknowledgement. So a paused or partitioned
            # old leader stops serving reads before a new leader can acknowledge a write.
            # Assumes clocks run at nearly the same rate (drift below 10%) and a restarted node takes
            # longer than this to rejoin. Longer: fewer read stalls on a slow follower; a clean leader
            # move (rebalance) waits up to this long.
            read-lease = 1s

            # R13 (PROTOCOL.md): a leader lets gets run on the caller's thread, without a message to its
            # shard actor, while its read lease (R10) holds at the time of the read and only for keys whose
            # newest write is at or below its high watermark (R7); other gets go through the shard actor as
            # before. off: every get of a replicated shard goes through its shard actor.
            leader-direct-reads = on

            # Bytes of WAL records a replicator keeps in flight to one follower before waiting for an ack.
            max-inflight-bytes = 4194304

            # Largest replication message, in payload bytes: one AppendRecords carries whole WAL records up
            # to this size, a larger record goes in pieces of at most this size, two unacknowledged at a
            # time (src/ActorLsm.Cluster/PROTOCOL.md, R14), and one SnapshotChunk at most this many bytes.
            # Keeps frames small so heartbeats do not wait behind them. Must be at least 1KiB and, with
            # 64KiB to spare for framing, at most akka.remote.dot-netty.tcp.maximum-frame-size (Akka.Remote
            # drops larger frames); a node refuses to start otherwise.
            max-message-bytes = 1MiB

            # Largest snapshot piece (bytes) when a follower is rebuilt from the leader's SSTables;
            # must stay below akka.remote.dot-netty.tcp.maximum-frame-size.
            snapshot-chunk-size = 1048576
          }
        }

        akka {
          actor {
            # Override (Akka: local). Membership, failure detection, downing and remoting are Akka.Cluster's.
            provider = cluster

            # Added: every cross-node message type (ClusterWireMessages.Types) bound by name to
            # Akka.Remote's Protobuf serializer. Akka.Remote's own binding of Google.Protobuf.IMessage
            # already covers them; the explicit bindings keep that true if that binding changes, and
            # make the choice visible here.
            serialization-bindings {
        %BINDINGS%
            }
          }

          remote.dot-netty.tcp {
            # Override (Akka: 128000b). Replicated WAL records travel in pieces of at most
            # actorlsm.cluster.replication.max-message-bytes (R14), but a client message sent to another
            # member (a Put or WriteBatch from WithActorLsm or WithActorLsmProxy) carries values of up to
            # 16 MiB whole, with MessagePack framing around them: 32 MiB leaves room for that.
            maximum-frame-size = 33554432b
            # Override (Akka: 256000b each): socket buffers at least as large as one maximum frame.
            send-buffer-size = 33554432b
            receive-buffer-size = 33554432b
          }

          cluster {
            # Override (Akka: []). Every ActorLsm node has the role actorlsm: the version manager runs
            # on (ClusterSingletonManager with role actorlsm) and epochs are voted by these members.
            # ClusterHost.ComposeConfig adds the role actorlsm-endpoint:HOST:PORT that publishes the
            # node's client endpoint in gossip.
            roles = [actorlsm]

            # Set explicitly (whatever Akka's default provider is): Akka's split-brain resolver downs
            # the unreachable side of a partition (or a crashed node); without a downing provider an
            # unreachable member stays a member forever and no new version manager starts.
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"

            split-brain-resolver {
              # Set explicitly (it is Akka's default strategy). The side with most members
              # keeps running (ties: the side with the lowest address); a minority side downs itself
              # and stops serving (ClusterHost.WhenDowned). Matches our majority-persisted epochs: the
              # side that can run the version manager is the side that survives.
              active-strategy = keep-majority
            }

            # Override (Akka: on). Shard maps are made from Up members only; a WeaklyUp member would
            # be shown as Joining anyway, so it is simpler to not have it.
            allow-weakly-up-members = off

            # Override (Akka: on). The server owns the process: on WhenDowned it stops serving and shuts
            # its shards down in order; the actor system must not be terminated under it.
            run-coordinated-shutdown-when-down = off
          }
        }
        """;

    private static readonly Lazy<string> s_text = new(() =>
    {
        var bindings = new StringBuilder();
        foreach (Type t in ClusterWireMessages.Types)
        {
            bindings.Append(CultureInfo.InvariantCulture, $"      \"{t.FullName}, {t.Assembly.GetName().Name}\" = proto\n");
        }

        return Body.Replace("%BINDINGS%", bindings.ToString().TrimEnd('\n'), StringComparison.Ordinal);
    });

    private static readonly Lazy<Config> s_default = new(() => ConfigurationFactory.ParseString(s_text.Value));

    /// <summary>The reference configuration as HOCON text (comments included).</summary>
    public static string Text => s_text.Value;

    /// <summary>The reference configuration, parsed; use as the last fallback.</summary>
    public static Config Default => s_default.Value;
}
