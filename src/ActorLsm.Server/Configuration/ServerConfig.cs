using System.Text.Json;
using ActorLsm.Cluster;
using ActorLsm.Shards;
using Akka.Configuration;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// The layered HOCON configuration of a node, parsed by Akka's HOCON parser: the embedded
/// <c>reference.conf</c> (every default; the shards' and the cluster's reference configs under it), then
/// the embedded <c>single-node.conf</c>, then an optional file from <c>--config</c>, then the command-line
/// flags. A later layer wins key by key. Each file layer is checked (<see cref="ConfigValidator"/>) before it
/// is used, since Akka's parser accepts malformed text silently.
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
    /// reference.conf with single-node.conf over it, and the modules' reference configs
    /// (<see cref="ClusterReferenceConfig"/>, <see cref="ShardedNode.DefaultConfig"/>) as the last fallback:
    /// the configuration when no file or flag is given.
    /// </summary>
    public static NodeConfig Defaults() =>
        new(
            [Parse(SingleNodeText, "single-node.conf"), Parse(ReferenceText, "reference.conf")],
            ClusterReferenceConfig.Default.WithFallback(ShardedNode.DefaultConfig));

    /// <summary>
    /// The full configuration: <see cref="Defaults"/>, then <paramref name="configFile"/> (when not null),
    /// then the flags that are not null.
    /// </summary>
    /// <exception cref="InvalidConfigException">
    /// The file cannot be read, is malformed, or sets an unknown <c>actorlsm</c> key; the message names file, line and key.
    /// </exception>
    public static NodeConfig Load(string? configFile, string? dataDir = null, int? port = null)
    {
        NodeConfig config = Defaults();
        if (configFile is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(configFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new InvalidConfigException("cannot read the file: " + ex.Message, configFile, 0, null);
            }

            ConfigLayer file = Parse(text, configFile, Path.GetDirectoryName(Path.GetFullPath(configFile)));
            ConfigValidator.CheckKnownKeys(file, config.Config);
            config = config.With(file);
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

        return flags.Count == 0 ? config : config.With(Parse(string.Join('\n', flags), CommandLineSource));
    }

    /// <summary>
    /// Parses <paramref name="text"/> with Akka's HOCON parser and checks it (<see cref="ConfigValidator.CheckSyntax"/>).
    /// <c>include "file"</c> is resolved against <paramref name="directory"/> (null: the working directory);
    /// an included file is checked the same way.
    /// </summary>
    /// <exception cref="InvalidConfigException">The text is malformed; the message names <paramref name="name"/> and the line.</exception>
    public static ConfigLayer Parse(string text, string name, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        Config parsed;
        try
        {
            parsed = ConfigurationFactory.ParseString(text, include => Include(include, name, directory));
        }
        catch (InvalidConfigException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Akka's parser reports unresolved substitutions and includes this way.
            throw new InvalidConfigException(ex.Message.Split('\n')[0].Trim(), name, 0, null);
        }

        var layer = new ConfigLayer(name, text, parsed);
        ConfigValidator.CheckSyntax(layer);
        return layer;
    }

    // Akka's include callback: the included file, read, checked and parsed on its own.
    private static Akka.Configuration.Hocon.HoconRoot Include(string include, string includer, string? directory)
    {
        string path = Path.Combine(directory ?? Directory.GetCurrentDirectory(), include.Trim().Trim('"'));
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidConfigException($"cannot read the included file {include}: {ex.Message}", includer, 0, null);
        }

        ConfigLayer layer = Parse(text, path, Path.GetDirectoryName(path));
        return new Akka.Configuration.Hocon.HoconRoot(layer.Config.Root);
    }

    private static string ReadResource(string name)
    {
        using Stream stream = typeof(ServerConfig).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
