using ActorLsm.Persistence.Hosting;
using ActorLsm.Storage;
using Akka.Configuration;

namespace ActorLsm.Persistence.Storage;

/// <summary>The store settings shared by the journal, snapshot store and read journal blocks (reference.conf).</summary>
/// <param name="Mode">embedded or cluster.</param>
/// <param name="DataDir">embedded: the store's directory.</param>
/// <param name="KeyPrefix">key-prefix (FORMAT.md).</param>
/// <param name="RequestTimeout">Bound on each store request.</param>
/// <param name="IoThreads">embedded: threads running the store's blocking calls.</param>
/// <param name="WalSyncMode">embedded: the store's WAL sync mode.</param>
internal sealed record PluginSettings(ActorLsmStoreMode Mode, string DataDir, string KeyPrefix, TimeSpan RequestTimeout, int IoThreads, WalSyncMode WalSyncMode)
{
    /// <summary>
    /// Reads <paramref name="config"/> (a plugin block, with <paramref name="defaults"/> under it). Throws
    /// ConfigurationException naming the key on a bad value.
    /// </summary>
    public static PluginSettings From(Config config, Config defaults)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(defaults);
        string mode = config.GetString("mode", "embedded");
        ActorLsmStoreMode parsed = mode.ToUpperInvariant() switch
        {
            "EMBEDDED" => ActorLsmStoreMode.Embedded,
            "CLUSTER" => ActorLsmStoreMode.Cluster,
            _ => throw new ConfigurationException($"mode = \"{mode}\": expected embedded or cluster"),
        };
        string wal = config.GetString("embedded.wal-sync-mode", "batch");
        WalSyncMode walMode = wal.ToUpperInvariant() switch
        {
            "NONE" => WalSyncMode.None,
            "BATCH" => WalSyncMode.Batch,
            "INTERVAL" => WalSyncMode.Interval,
            _ => throw new ConfigurationException($"embedded.wal-sync-mode = \"{wal}\": expected none, batch or interval"),
        };
        TimeSpan timeout = config.GetTimeSpan("request-timeout", TimeSpan.FromSeconds(10));
        if (timeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"request-timeout = {timeout}: must be positive");
        }

        int ioThreads = config.GetInt("embedded.io-threads", 4);
        if (ioThreads < 1)
        {
            throw new ConfigurationException($"embedded.io-threads = {ioThreads}: must be at least 1");
        }

        string prefix = config.GetString("key-prefix", "akka");
        if (prefix.Contains('{', StringComparison.Ordinal) || prefix.Contains('}', StringComparison.Ordinal))
        {
            throw new ConfigurationException($"key-prefix = \"{prefix}\": must not contain '{{' or '}}'");
        }

        return new PluginSettings(parsed, config.GetString("data-dir", "data/persistence"), prefix, timeout, ioThreads, walMode);
    }
}
