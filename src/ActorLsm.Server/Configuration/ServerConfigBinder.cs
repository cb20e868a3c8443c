using ActorLsm.Cluster.Hosting;
using ActorLsm.Server.Security;
using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// Binds a node's HOCON configuration (keys of hocon/reference.conf) to <see cref="ServerOptions"/>,
/// <see cref="ShardedNodeOptions"/> with its <see cref="LsmOptions"/>, and the cluster options; the
/// <c>akka.*</c> keys are read by Akka itself when the node's ActorSystem is created from the same config.
/// </summary>
public static class ServerConfigBinder
{
    private const string S = "actorlsm.server.";
    private const string N = "actorlsm.node.";
    private const string St = "actorlsm.storage.";

    /// <summary>
    /// LsmOptions property → HOCON key, so that <see cref="LsmOptions.Validate"/>'s errors (which
    /// name the property) can name the key a user writes.
    /// </summary>
    private static readonly Dictionary<string, string> s_storageKeys = new(StringComparer.Ordinal)
    {
        [nameof(LsmOptions.MaxKeySize)] = "max-key-size",
        [nameof(LsmOptions.MaxValueSize)] = "max-value-size",
        [nameof(LsmOptions.MemTableSize)] = "memtable-size",
        [nameof(LsmOptions.MaxImmutableMemTables)] = "max-immutable-memtables",
        [nameof(LsmOptions.WalSyncMode)] = "wal-sync-mode",
        [nameof(LsmOptions.WalSyncInterval)] = "wal-sync-interval",
        [nameof(LsmOptions.FlushInterval)] = "flush-interval",
        [nameof(LsmOptions.BlockSize)] = "block-size",
        [nameof(LsmOptions.BlockRestartInterval)] = "block-restart-interval",
        [nameof(LsmOptions.BloomBitsPerKey)] = "bloom-bits-per-key",
        [nameof(LsmOptions.Compression)] = "compression",
        [nameof(LsmOptions.CompressionPerLevel)] = "compression-per-level",
        [nameof(LsmOptions.BottommostCompression)] = "bottommost-compression",
        [nameof(LsmOptions.BlockCacheSize)] = "block-cache-size",
        [nameof(LsmOptions.MaxOpenFiles)] = "max-open-files",
        [nameof(LsmOptions.VerifyChecksums)] = "verify-checksums",
        [nameof(LsmOptions.NumLevels)] = "num-levels",
        [nameof(LsmOptions.L0CompactionTrigger)] = "level0-file-num-compaction-trigger",
        [nameof(LsmOptions.L0SlowdownWritesTrigger)] = "level0-slowdown-writes-trigger",
        [nameof(LsmOptions.L0StopWritesTrigger)] = "level0-stop-writes-trigger",
        [nameof(LsmOptions.SlowdownDelay)] = "slowdown-delay",
        [nameof(LsmOptions.MaxBytesForLevelBase)] = "max-bytes-for-level-base",
        [nameof(LsmOptions.LevelSizeMultiplier)] = "level-size-multiplier",
        [nameof(LsmOptions.TargetFileSize)] = "target-file-size",
        [nameof(LsmOptions.CompactionRateLimit)] = "compaction-rate-limit",
        [nameof(LsmOptions.CreateIfMissing)] = "create-if-missing",
    };

    private static readonly (string Word, BlockCompression Value)[] s_codecs =
    [
        ("none", BlockCompression.None), ("deflate", BlockCompression.Deflate), ("brotli", BlockCompression.Brotli),
        ("lz4", BlockCompression.Lz4), ("zstd", BlockCompression.Zstd),
    ];

    /// <summary>The HOCON key (<c>actorlsm.storage.memtable-size</c>) of an <see cref="LsmOptions"/> property, or null.</summary>
    public static string? StorageKeyOf(string propertyName) =>
        s_storageKeys.TryGetValue(propertyName, out string? key) ? St + key : null;

    /// <summary>
    /// The cluster options when <c>akka.cluster.seed-nodes</c> is non-empty, else null (single node).
    /// The client endpoint is the configured host and port (replaced by the bound one at start).
    /// </summary>
    private static ClusterHostOptions? BindCluster(NodeConfig config, ServerOptions server, ShardedNodeOptions node)
    {
        if (!config.Config.HasPath("akka.cluster.seed-nodes") || config.Config.GetStringList("akka.cluster.seed-nodes").Count == 0)
        {
            return null;
        }

        string endpoint = server.Host + ":" + server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            return ClusterHostOptions.FromConfig(config.Config, endpoint, Path.Combine(node.DataDir, "cluster"));
        }
        catch (ArgumentException ex) when (ex.ParamName is { } key && key.Contains('.', StringComparison.Ordinal))
        {
            throw new SettingReader(config).Error(key, ex.Message.Split(" (Parameter", 2)[0]);
        }
    }

    /// <summary>Reads every setting; the configuration must contain all keys of reference.conf (layer it over <see cref="ServerConfig.Defaults"/>).</summary>
    /// <exception cref="InvalidConfigException">A missing, mistyped or out-of-range setting; the message names file, line and key.</exception>
    public static ServerSettings Bind(NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var r = new SettingReader(config);
        ServerOptions server = BindServer(r);
        LsmOptions storage = BindStorage(r);
        var node = new ShardedNodeOptions
        {
            DataDir = NonEmpty(r, N + "data-dir"),
            ShardCount = r.Int(N + "shard-count", 1, 4096),
            MaxPendingWrites = r.Int(N + "max-pending-writes", 1, int.MaxValue),
            MaxPendingBytes = r.Bytes(N + "max-pending-bytes", 1, long.MaxValue),
            MaxScanLimit = r.Int(N + "max-scan-limit", 1, int.MaxValue),
            SessionIdleTimeout = r.Duration(N + "sessions.idle-timeout", TimeSpan.FromSeconds(1), TimeSpan.FromDays(365)),
            MaxSessionUnacknowledged = r.Int(N + "sessions.max-unacknowledged", 1, int.MaxValue),
            RequestTimeout = r.Duration(N + "request-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
            Storage = storage,

            // The dispatcher's code after a single-key request is short and never blocks (it builds
            // the response and queues it for the connection's writer): it may run on the shard's thread.
            InlineReplyContinuations = true,
        };
        if (server.MaxPipelineDepth > server.MaxInFlightPerConnection)
        {
            throw r.Error(S + "max-pipeline-depth", $"must not exceed max-in-flight-per-connection ({server.MaxInFlightPerConnection}), which stops reading a connection first");
        }

        SecuritySettings security = BindSecurity(r, config);
        if (ProtectedMode.Refusal(server.Host, security.Users.AuthenticationEnabled, security.ProtectedMode) is { } refusal)
        {
            throw r.Error(S + "host", refusal);
        }

        return new ServerSettings(server, node, config, BindCluster(config, server, node)) { Security = security };
    }

    private static SecuritySettings BindSecurity(SettingReader r, NodeConfig config)
    {
        const string Sec = "actorlsm.security.";
        const string T = "actorlsm.tls.";
        var tls = new TlsSettings
        {
            CertificatePath = r.String(T + "certificate").Trim(),
            KeyPath = r.String(T + "key").Trim(),
            Password = r.String(T + "password"),
            CaPath = r.String(T + "ca").Trim(),
            ClientListener = r.Bool(T + "client-listener"),
            RespListener = r.Bool(T + "resp-listener"),
            ClientCertificates = r.Choice(T + "client-certificates", ("none", ClientCertificateRequirement.None), ("optional", ClientCertificateRequirement.Optional), ("required", ClientCertificateRequirement.Required)),
            Remote = r.Bool(T + "remote"),
            HandshakeTimeout = r.Duration(T + "handshake-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)),
        };
        if ((tls.ClientListener || tls.RespListener || tls.Remote) && tls.CertificatePath.Length == 0)
        {
            throw r.Error(T + "certificate", "TLS is on (client-listener, resp-listener or remote) but no certificate file is named");
        }

        if (tls.Remote && tls.CaPath.Length == 0)
        {
            throw r.Error(T + "ca", "TLS on Akka.Remote checks the other nodes' certificates against a CA file; name one");
        }

        if ((tls.ClientListener || tls.RespListener) && tls.ClientCertificates != ClientCertificateRequirement.None && tls.CaPath.Length == 0)
        {
            throw r.Error(T + "ca", "client certificates are checked against a CA file; name one");
        }

        foreach (string key in new[] { "certificate", "key", "ca" })
        {
            string file = r.String(T + key).Trim();
            if (file.Length > 0 && (tls.ClientListener || tls.RespListener || tls.Remote) && !File.Exists(file))
            {
                throw r.Error(T + key, $"no such file: {file}");
            }
        }

        return new SecuritySettings
        {
            Users = BindUsers(r, config, Sec + "users"),
            ProtectedMode = r.Bool(Sec + "protected-mode"),
            RateLimit = new AuthRateLimitOptions
            {
                FreeFailures = r.Int(Sec + "auth-rate-limit.free-failures", 0, 1_000_000),
                BaseDelay = r.Duration(Sec + "auth-rate-limit.base-delay", TimeSpan.Zero, TimeSpan.FromDays(1)),
                MaxDelay = r.Duration(Sec + "auth-rate-limit.max-delay", TimeSpan.Zero, TimeSpan.FromDays(1)),
                MaxTrackedAddresses = r.Int(Sec + "auth-rate-limit.max-tracked-addresses", 1, 10_000_000),
            },
            Tls = tls,
        };
    }

    // The users list: objects { name, password-hash, role }. Errors name the list's key and the entry.
    private static UserStore BindUsers(SettingReader r, NodeConfig config, string path)
    {
        Akka.Configuration.Hocon.HoconValue? value = config.Config.GetValue(path);
        if (value is null || value.IsEmpty)
        {
            return UserStore.Empty;
        }

        IList<Akka.Configuration.Hocon.HoconValue> items;
        try
        {
            items = value.GetArray();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Akka.Configuration.ConfigurationException or InvalidCastException)
        {
            throw r.Error(path, "expected a list of { name, password-hash, role } objects");
        }

        var users = new List<SecurityUser>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (Akka.Configuration.Hocon.HoconValue item in items)
        {
            string where = $"user {index}";
            if (!item.IsObject())
            {
                throw r.Error(path, $"{where}: expected an object {{ name, password-hash, role }}");
            }

            Dictionary<string, Akka.Configuration.Hocon.HoconValue> fields = item.GetObject().Items;
            foreach (string field in fields.Keys)
            {
                if (field is not ("name" or "password-hash" or "role"))
                {
                    throw r.Error(path, $"{where}: unknown field {field} (expected name, password-hash, role)");
                }
            }

            string name = fields.TryGetValue("name", out var n) ? n.GetString()?.Trim() ?? string.Empty : string.Empty;
            if (name.Length == 0)
            {
                throw r.Error(path, $"{where}: name is missing or empty");
            }

            where = $"user {name}";
            if (!names.Add(name))
            {
                throw r.Error(path, $"{where} is listed twice");
            }

            string hashText = fields.TryGetValue("password-hash", out var h) ? h.GetString() ?? string.Empty : string.Empty;
            if (!Protocol.Security.PasswordHash.TryParse(hashText, out Protocol.Security.ParsedPasswordHash hash, out string hashError))
            {
                throw r.Error(path, $"{where}: password-hash: {hashError}");
            }

            string roleWord = fields.TryGetValue("role", out var ro) ? ro.GetString() ?? string.Empty : string.Empty;
            if (!Roles.TryParse(roleWord, out Role role))
            {
                throw r.Error(path, $"{where}: role: expected read, readwrite or admin, got \"{roleWord}\"");
            }

            users.Add(new SecurityUser(name, hash, role));
            index++;
        }

        return new UserStore(users);
    }

    private static ServerOptions BindServer(SettingReader r) => new()
    {
        Host = NonEmpty(r, S + "host"),
        AdvertisedHost = r.String(S + "advertised-host").Trim(),
        Port = r.Int(S + "port", 0, 65535),
        MaxFrameSize = (int)r.Bytes(S + "max-frame-size", 64, int.MaxValue),
        MaxConnections = r.Int(S + "max-connections", 1, int.MaxValue),
        MaxInFlightPerConnection = r.Int(S + "max-in-flight-per-connection", 1, 1 << 20),
        MaxPipelineDepth = r.Int(S + "max-pipeline-depth", 0, 1 << 24),
        IdleTimeout = r.Duration(S + "idle-timeout", TimeSpan.Zero, TimeSpan.FromDays(365)),
        MaxBulkLength = r.Bytes(S + "max-bulk-length", 1, long.MaxValue),
        RequestTimeout = r.Duration(S + "request-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
        ShutdownTimeout = r.Duration(S + "shutdown-timeout", TimeSpan.Zero, TimeSpan.FromDays(1)),
        RespPort = r.String("actorlsm.resp.port").Trim().Length == 0 ? null : r.Int("actorlsm.resp.port", 0, 65535),
        RespHost = r.String("actorlsm.resp.host").Trim(),
        RespLeaderChangeWait = r.Duration("actorlsm.resp.leader-change-wait", TimeSpan.Zero, TimeSpan.FromHours(1)),
    };

    private static LsmOptions BindStorage(SettingReader r)
    {
        var o = new LsmOptions
        {
            MaxKeySize = (int)r.Bytes(St + "max-key-size", 1, int.MaxValue),
            MaxValueSize = (int)r.Bytes(St + "max-value-size", 1, int.MaxValue),
            MemTableSize = (int)r.Bytes(St + "memtable-size", 1, int.MaxValue),
            MaxImmutableMemTables = r.Int(St + "max-immutable-memtables", 0, int.MaxValue),
            WalSyncMode = r.Choice(St + "wal-sync-mode", ("none", WalSyncMode.None), ("batch", WalSyncMode.Batch), ("interval", WalSyncMode.Interval)),
            WalSyncInterval = r.Duration(St + "wal-sync-interval", TimeSpan.Zero, TimeSpan.FromDays(1)),
            FlushInterval = r.Duration(St + "flush-interval", TimeSpan.Zero, TimeSpan.FromDays(365)),
            BlockSize = (int)r.Bytes(St + "block-size", 1, int.MaxValue),
            BlockRestartInterval = r.Int(St + "block-restart-interval", 0, int.MaxValue),
            BloomBitsPerKey = r.Int(St + "bloom-bits-per-key", 0, int.MaxValue),
            Compression = r.Choice(St + "compression", s_codecs),
            CompressionPerLevel = r.Words(St + "compression-per-level") is { Count: > 0 } levels
                ? [.. levels.Select(word => r.Choice(St + "compression-per-level", word, s_codecs))]
                : null,
            BottommostCompression = r.String(St + "bottommost-compression").Trim() is { Length: > 0 }
                ? r.Choice(St + "bottommost-compression", s_codecs)
                : null,
            BlockCacheSize = r.Bytes(St + "block-cache-size", 0, long.MaxValue),
            MaxOpenFiles = r.Int(St + "max-open-files", 0, int.MaxValue),
            VerifyChecksums = r.Bool(St + "verify-checksums"),
            NumLevels = r.Int(St + "num-levels", 0, int.MaxValue),
            L0CompactionTrigger = r.Int(St + "level0-file-num-compaction-trigger", 0, int.MaxValue),
            L0SlowdownWritesTrigger = r.Int(St + "level0-slowdown-writes-trigger", 0, int.MaxValue),
            L0StopWritesTrigger = r.Int(St + "level0-stop-writes-trigger", 0, int.MaxValue),
            SlowdownDelay = r.Duration(St + "slowdown-delay", TimeSpan.Zero, TimeSpan.FromSeconds(10)),
            MaxBytesForLevelBase = r.Bytes(St + "max-bytes-for-level-base", 0, long.MaxValue),
            LevelSizeMultiplier = r.Int(St + "level-size-multiplier", 0, int.MaxValue),
            TargetFileSize = r.Bytes(St + "target-file-size", 0, long.MaxValue),
            CompactionRateLimit = r.Bytes(St + "compaction-rate-limit", 0, long.MaxValue),
            CreateIfMissing = r.Bool(St + "create-if-missing"),
        };

        try
        {
            o.Validate();
        }
        catch (ArgumentException ex) when (ex.ParamName is { } property && StorageKeyOf(property) is { } key)
        {
            // Validate names the property and its value; say it with the key the user wrote.
            throw r.Error(key, "rejected by the storage engine: " + ex.Message.Split(" (Parameter", 2)[0]);
        }

        return o;
    }

    private static string NonEmpty(SettingReader r, string path)
    {
        string value = r.String(path);
        return value.Trim().Length > 0 ? value : throw r.Error(path, "expected a non-empty string");
    }
}
