using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>COMMAND, INFO, CONFIG GET and TIME: what redis-cli and client libraries ask at connect.</summary>
internal static class ServerCommands
{
    public static ValueTask<RespValue> Command(RespSession s, IReadOnlyList<byte[]> a)
    {
        IReadOnlyDictionary<string, RespCommand> table = s.Service.Commands;
        if (a.Count == 1)
        {
            return ValueTask.FromResult(RespValue.Array([.. table.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(Info)]));
        }

        string sub = Args.Text(a[1]).ToLowerInvariant();
        IEnumerable<string> names = a.Skip(2).Select(n => Args.Text(n).ToLowerInvariant());
        RespValue reply = sub switch
        {
            "count" when a.Count == 2 => RespValue.Int(table.Count),
            "list" => RespValue.Array([.. table.Keys.Order(StringComparer.Ordinal).Select(RespValue.Bulk)]),
            "info" => RespValue.Array([.. (a.Count == 2 ? table.Keys.Order(StringComparer.Ordinal) : names)
                .Select(n => table.TryGetValue(n, out RespCommand? c) ? Info(c) : RespValue.NullArray)]),
            "docs" => RespValue.Map([.. (a.Count == 2 ? table.Keys.Order(StringComparer.Ordinal) : names)
                .Where(table.ContainsKey)
                .SelectMany(n => new[] { RespValue.Bulk(n), Docs(table[n]) })]),
            "count" => Errors.WrongArgs("command|count"),
            _ => Errors.UnknownSubcommand(Args.Text(a[1]), "command"),
        };
        return ValueTask.FromResult(reply);
    }

    // Redis 7's COMMAND INFO shape: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.
    private static RespValue Info(RespCommand c) => RespValue.Array(
        RespValue.Bulk(c.Name),
        RespValue.Int(c.Arity),
        RespValue.Set([.. c.Flags.Select(RespValue.Simple)]),
        RespValue.Int(c.FirstKey),
        RespValue.Int(c.LastKey),
        RespValue.Int(c.Step),
        RespValue.Set([.. AclCategories(c).Select(RespValue.Simple)]),
        RespValue.EmptyArray,
        RespValue.EmptyArray,
        RespValue.EmptyArray);

    private static IEnumerable<string> AclCategories(RespCommand c)
    {
        yield return "@" + c.Group;
        yield return c.IsWrite ? "@write" : "@read";
        if (c.Flags.Contains("fast"))
        {
            yield return "@fast";
        }

        if (c.IsAdmin)
        {
            yield return "@admin";
            yield return "@dangerous";
        }
    }

    private static RespValue Docs(RespCommand c) => RespValue.Map(
        RespValue.Bulk("summary"), RespValue.Bulk(c.Summary),
        RespValue.Bulk("since"), RespValue.Bulk("1.0.0"),
        RespValue.Bulk("group"), RespValue.Bulk(c.Group));

    public static ValueTask<RespValue> Time(RespSession s, IReadOnlyList<byte[]> a)
    {
        long micros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        return ValueTask.FromResult(RespValue.Array(
            RespValue.Bulk((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)),
            RespValue.Bulk((micros % 1_000_000).ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>CONFIG GET pattern... (read-only view of the settings clients look at); CONFIG SET is refused; RESETSTAT is accepted.</summary>
    public static ValueTask<RespValue> Config(RespSession s, IReadOnlyList<byte[]> a)
    {
        string sub = Args.Text(a[1]).ToLowerInvariant();
        if (sub == "get")
        {
            if (a.Count < 3)
            {
                return ValueTask.FromResult(Errors.WrongArgs("config|get"));
            }

            var pairs = new List<RespValue>();
            foreach ((string name, string value) in Parameters(s))
            {
                if (a.Skip(2).Any(p => GlobPattern.IsMatch(p, Encoding.UTF8.GetBytes(name), ignoreCase: true)))
                {
                    pairs.Add(RespValue.Bulk(name));
                    pairs.Add(RespValue.Bulk(value));
                }
            }

            return ValueTask.FromResult(RespValue.Map([.. pairs]));
        }

        return ValueTask.FromResult(sub switch
        {
            "resetstat" => RespValue.Ok,
            "set" or "rewrite" => RespValue.Error($"ERR CONFIG {sub.ToUpperInvariant()} is not supported: settings come from the node's HOCON files"),
            _ => Errors.UnknownSubcommand(Args.Text(a[1]), "config"),
        });
    }

    private static IEnumerable<(string Name, string Value)> Parameters(RespSession s)
    {
        string port = s.Service.Options.Port.ToString(CultureInfo.InvariantCulture);
        yield return ("databases", "1");
        yield return ("port", port);
        yield return ("cluster-enabled", s.Service.Backend.ClusterEnabled ? "yes" : "no");
        yield return ("appendonly", "yes");
        yield return ("appendfsync", "always");
        yield return ("save", string.Empty);
        yield return ("maxmemory", "0");
        yield return ("maxmemory-policy", "noeviction");
        yield return ("timeout", "0");
        yield return ("proto-max-bulk-len", "536870912");
        yield return ("replica-read-only", "yes");
        yield return ("slave-read-only", "yes");
        yield return ("maxclients", "10000");
    }

    public static async ValueTask<RespValue> Info(RespSession s, IReadOnlyList<byte[]> a)
    {
        var wanted = new HashSet<string>(a.Skip(1).Select(x => Args.Text(x).ToLowerInvariant()), StringComparer.Ordinal);
        bool all = wanted.Count == 0 || wanted.Contains("all") || wanted.Contains("default") || wanted.Contains("everything");
        IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> node =
            await s.Service.Backend.InfoAsync(CancellationToken.None).ConfigureAwait(false);
        RespService svc = s.Service;
        var text = new StringBuilder();

        void Section(string name, IEnumerable<(string Key, string Value)> lines)
        {
            if (!all && !wanted.Contains(name.ToLowerInvariant()))
            {
                return;
            }

            if (text.Length > 0)
            {
                text.Append("\r\n");
            }

            text.Append("# ").Append(name).Append("\r\n");
            foreach ((string key, string value) in lines)
            {
                text.Append(key).Append(':').Append(value).Append("\r\n");
            }

            if (node.TryGetValue(name.ToLowerInvariant(), out IReadOnlyList<KeyValuePair<string, string>>? extra))
            {
                foreach (KeyValuePair<string, string> e in extra)
                {
                    text.Append(e.Key).Append(':').Append(e.Value).Append("\r\n");
                }
            }
        }

        static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
        long uptime = (long)Stopwatch.GetElapsedTime(svc.StartedAt).TotalSeconds;
        Section("Server",
        [
            ("redis_version", svc.Options.RedisVersion),
            ("actorlsm_version", svc.Options.Version),
            ("redis_mode", svc.Backend.ClusterEnabled ? "cluster" : "standalone"),
            ("os", Environment.OSVersion.VersionString),
            ("arch_bits", Environment.Is64BitProcess ? "64" : "32"),
            ("process_id", N(Environment.ProcessId)),
            ("run_id", svc.RunId),
            ("tcp_port", N(svc.Options.Port)),
            ("uptime_in_seconds", N(uptime)),
            ("uptime_in_days", N(uptime / 86400)),
        ]);
        Section("Clients",
        [
            ("connected_clients", N(svc.ConnectedClients)),
            ("maxclients", "10000"),
        ]);
        long managed = GC.GetTotalMemory(false);
        long rss = Environment.WorkingSet;
        Section("Memory",
        [
            ("used_memory", N(managed)),
            ("used_memory_human", Human(managed)),
            ("used_memory_rss", N(rss)),
            ("used_memory_rss_human", Human(rss)),
            ("maxmemory", "0"),
            ("maxmemory_policy", "noeviction"),
        ]);
        Section("Persistence",
        [
            ("loading", "0"),
            ("aof_enabled", "1"),
            ("rdb_bgsave_in_progress", "0"),
        ]);
        Section("Stats",
        [
            ("total_connections_received", N(svc.ConnectionsReceived)),
            ("total_commands_processed", N(svc.CommandsProcessed)),
        ]);
        Section("Replication",
        [
            ("role", "master"),
        ]);
        Section("Cluster",
        [
            ("cluster_enabled", svc.Backend.ClusterEnabled ? "1" : "0"),
        ]);
        if (all || wanted.Contains("keyspace"))
        {
            long keys = await KeyspaceCommands.CountAsync(svc).ConfigureAwait(false);
            Section("Keyspace", keys > 0 ? [("db0", $"keys={N(keys)},expires=0,avg_ttl=0")] : []);
        }

        return RespValue.Verbatim(text.ToString());
    }

    private static string Human(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + "G",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + "K",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + "B",
    };
}
