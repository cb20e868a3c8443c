using System.Text.Json;
using ActorLsm.Cluster;
using ActorLsm.Hocon;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// The layered HOCON configuration of a node, as Akka loads its own: the embedded
/// <c>reference.conf</c> (every default), then the embedded <c>single-node.conf</c>, then an
/// optional file from <c>--config</c>, then the command-line flags. A later layer wins key by key;
/// each layer is resolved on its own, so substitutions see only their own file.
/// </summary>
public static class ServerConfig
{
    /// <summary>Manifest resource name of the embedded hocon/reference.conf.</summary>
    public const string ReferenceResource = "ActorLsm.Server.reference.conf";

    /// <summary>Manifest resource name of the embedded hocon/single-node.conf.</summary>
    public const string SingleNodeResource = "ActorLsm.Server.single-node.conf";

    /// <summary>File name used in error messages for settings that came from flags.</summary>
    public const string CommandLineSource = "command line";

    /// <summary>The text of hocon/reference.conf: every setting with its default and a comment.</summary>
    public static string ReferenceText => ReadResource(ReferenceResource);

    /// <summary>The text of hocon/single-node.conf: the layer a plain <c>actorlsm-server</c> starts with.</summary>
    public static string SingleNodeText => ReadResource(SingleNodeResource);

    /// <summary>
    /// reference.conf with single-node.conf over it: the configuration when no file or flag is given.
    /// The cluster's reference.conf (<c>actorlsm.remote</c>, <c>actorlsm.cluster</c>, <see cref="ClusterReferenceConfig"/>)
    /// is the last fallback.
    /// </summary>
    public static HoconConfig Defaults() =>
        HoconConfig.Parse(SingleNodeText, "single-node.conf")
            .WithFallback(HoconConfig.Parse(ReferenceText, "reference.conf"))
            .WithFallback(HoconConfig.Parse(ClusterReferenceConfig.Text, "cluster reference.conf"));

    /// <summary>
    /// The full configuration: <see cref="Defaults"/>, then <paramref name="configFile"/> (when not
    /// null), then the flags that are not null.
    /// </summary>
    /// <exception cref="HoconException">The file cannot be read or does not parse; the message names file, line and key.</exception>
    public static HoconConfig Load(string? configFile, string? dataDir = null, int? port = null)
    {
        HoconConfig config = Defaults();
        if (configFile is not null)
        {
            config = HoconConfig.Load(configFile).WithFallback(config);
        }

        var flags = new List<string>();
        if (dataDir is not null)
        {
            flags.Add("actorlsm.node.data-dir = " + JsonSerializer.Serialize(dataDir));
        }

        if (port is not null)
        {
            flags.Add("actorlsm.server.port = " + port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return flags.Count == 0 ? config : HoconConfig.Parse(string.Join('\n', flags), CommandLineSource).WithFallback(config);
    }

    private static string ReadResource(string name)
    {
        using Stream stream = typeof(ServerConfig).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
