using ActorLsm.Cluster.Hosting;
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
            RequestTimeout = r.Duration(N + "request-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
            Storage = storage,

            // The dispatcher's code after a single-key request is short and never blocks (it builds
            // the response and queues it for the connection's writer): it may run on the shard's thread.
            InlineReplyContinuations = true,
        };
        return new ServerSettings(server, node, config, BindCluster(config, server, node));
    }

    private static ServerOptions BindServer(SettingReader r) => new()
    {
        Host = NonEmpty(r, S + "host"),
        AdvertisedHost = r.String(S + "advertised-host").Trim(),
        Port = r.Int(S + "port", 0, 65535),
        MaxFrameSize = (int)r.Bytes(S + "max-frame-size", 64, int.MaxValue),
        MaxConnections = r.Int(S + "max-connections", 1, int.MaxValue),
        MaxInFlightPerConnection = r.Int(S + "max-in-flight-per-connection", 1, 1 << 20),
        RequestTimeout = r.Duration(S + "request-timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)),
        ShutdownTimeout = r.Duration(S + "shutdown-timeout", TimeSpan.Zero, TimeSpan.FromDays(1)),
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
