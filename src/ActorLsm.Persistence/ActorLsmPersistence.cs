using Akka.Configuration;

namespace ActorLsm.Persistence;

/// <summary>
/// The plugin ids and the commented reference config (embedded resource <c>reference.conf</c>, every key
/// of the journal, snapshot store and read journal with its default).
/// </summary>
public static class ActorLsmPersistence
{
    /// <summary>Config path of the journal plugin.</summary>
    public const string JournalPluginId = "akka.persistence.journal.actorlsm";

    /// <summary>Config path of the snapshot store plugin.</summary>
    public const string SnapshotStorePluginId = "akka.persistence.snapshot-store.actorlsm";

    /// <summary>Config path of the read journal (Akka.Persistence.Query).</summary>
    public const string QueryPluginId = "akka.persistence.query.journal.actorlsm";

    /// <summary>Resource name of the embedded reference config.</summary>
    public const string ReferenceResourceName = "ActorLsm.Persistence.reference.conf";

    private static readonly Lazy<Config> s_default = new(() => ConfigurationFactory.ParseString(ReferenceText));

    /// <summary>The text of the embedded reference.conf.</summary>
    public static string ReferenceText
    {
        get
        {
            using Stream stream = typeof(ActorLsmPersistence).Assembly.GetManifestResourceStream(ReferenceResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ReferenceResourceName} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The parsed reference config (all three plugin blocks, full paths).</summary>
    public static Config DefaultConfig => s_default.Value;

    /// <summary>The journal block's defaults (the config under <see cref="JournalPluginId"/>).</summary>
    public static Config DefaultJournalConfig => DefaultConfig.GetConfig(JournalPluginId);

    /// <summary>The snapshot store block's defaults.</summary>
    public static Config DefaultSnapshotStoreConfig => DefaultConfig.GetConfig(SnapshotStorePluginId);

    /// <summary>The read journal block's defaults.</summary>
    public static Config DefaultQueryConfig => DefaultConfig.GetConfig(QueryPluginId);
}
