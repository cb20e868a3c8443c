using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Configuration;

namespace ActorLsm.Hosting;

/// <summary>
/// What <see cref="ActorLsmHostingExtensions.WithActorLsm"/> starts on a member. Every property that is
/// set becomes HOCON under <c>actorlsm.*</c> (<see cref="ToHocon"/>), added in front of the system's
/// configuration; a property left null keeps whatever the application's HOCON (or the defaults:
/// <c>ShardedNode.DefaultConfig</c>, the cluster reference config) says. So every setting may equally be
/// written in HOCON, and the values the member runs with are read back from the actor system's config.
/// </summary>
public sealed class ActorLsmOptions
{
    /// <summary>Directory of this member's shards (<c>actorlsm.node.data-dir</c>; default <c>data</c>, relative to the working directory).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Shards over the key space, the same on every member (<c>actorlsm.node.shard-count</c>; default 16; 1..1024).</summary>
    public int? ShardCount { get; set; }

    /// <summary>Replicas per shard in a cluster (<c>actorlsm.cluster.replication.factor</c>; default 3; 1 turns replication off).</summary>
    public int? ReplicationFactor { get; set; }

    /// <summary>In-sync replicas a write needs before it is acknowledged (<c>actorlsm.cluster.replication.min-insync-replicas</c>; default 2, capped by the factor).</summary>
    public int? MinInSyncReplicas { get; set; }

    /// <summary>How long a shard may take to answer (<c>actorlsm.node.request-timeout</c>; default 30 s). The in-cluster client waits this plus 5 s.</summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Largest page one <c>Scan</c> returns (<c>actorlsm.node.max-scan-limit</c>; default 10,000).</summary>
    public int? MaxScanLimit { get; set; }

    /// <summary>
    /// Name of the router actor under <c>/user</c> (<c>actorlsm.hosting.router-name</c>; default
    /// <c>actorlsm-router</c>). Routers reach each other at this path on other members, so every
    /// member of a cluster uses the same name.
    /// </summary>
    public string? RouterName { get; set; }

    /// <summary>
    /// Attempts a router makes for a request whose shard has no available leader (or no data member is
    /// known) before it replies UNAVAILABLE (<c>actorlsm.hosting.unavailable-retries</c>; default 10,
    /// with backoff <see cref="RetryBackoff"/> doubling per attempt up to 1 s: 0.1 + 0.2 + 0.4 + 0.8 + 6 x 1 = 7.5 s,
    /// which outlasts a leadership move and its read-lease fence, R10, inside a 10 s request timeout).
    /// </summary>
    public int? UnavailableRetries { get; set; }

    /// <summary>First delay between those attempts (<c>actorlsm.hosting.retry-backoff</c>; default 100 ms).</summary>
    public TimeSpan? RetryBackoff { get; set; }

    /// <summary>The HOCON of the properties that are set (empty when none is).</summary>
    public string ToHocon()
    {
        var text = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                text.Append(key).Append(" = ").Append(value).Append('\n');
            }
        }

        static string? Ms(TimeSpan? t) => t is { } v ? ((long)v.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms" : null;
        static string? I(int? v) => v?.ToString(CultureInfo.InvariantCulture);
        Add("actorlsm.node.data-dir", DataDirectory is null ? null : JsonSerializer.Serialize(DataDirectory));
        Add("actorlsm.node.shard-count", I(ShardCount));
        Add("actorlsm.node.request-timeout", Ms(RequestTimeout));
        Add("actorlsm.node.max-scan-limit", I(MaxScanLimit));
        Add("actorlsm.cluster.replication.factor", I(ReplicationFactor));
        Add("actorlsm.cluster.replication.min-insync-replicas", I(MinInSyncReplicas));
        Add("actorlsm.hosting.router-name", RouterName is null ? null : JsonSerializer.Serialize(RouterName));
        Add("actorlsm.hosting.unavailable-retries", I(UnavailableRetries));
        Add("actorlsm.hosting.retry-backoff", Ms(RetryBackoff));
        return text.ToString();
    }

    /// <summary>The defaults of <c>actorlsm.hosting.*</c>, added as a fallback by WithActorLsm and WithActorLsmProxy.</summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.ParseString("""
        actorlsm.hosting {
          # Name of the router actor under /user; the same on every member (routers forward to each other there).
          router-name = "actorlsm-router"
          # Attempts for a request whose shard has no available leader (or meets a leadership move) before the
          # router replies UNAVAILABLE: 10 attempts last 7.5 s, longer than a move and its R10 fence (a persistent
          # actor's recovery failed with 5 (3.1 s) while leaderships moved back to a restarted member).
          unavailable-retries = 10
          # First delay between those attempts; doubles per attempt, up to 1 s.
          retry-backoff = 100ms
        }
        """);
}
