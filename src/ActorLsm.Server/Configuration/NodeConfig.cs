using Akka.Configuration;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// A node's configuration as its layers (highest priority first) and their merge: what
/// <see cref="ServerConfig.Load"/> returns. The merged <see cref="Config"/> is what the node's Akka
/// <c>ActorSystem</c> is created with, so <c>akka.*</c> and <c>actorlsm.*</c> keys live side by side in
/// the same files; the layers let an error name the file that set a key.
/// </summary>
public sealed class NodeConfig
{
    /// <summary>Merges <paramref name="layers"/> (highest priority first) over <paramref name="fallback"/>.</summary>
    public NodeConfig(IReadOnlyList<ConfigLayer> layers, Config? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Layers = layers;
        Config merged = fallback ?? Config.Empty;
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            merged = layers[i].Config.WithFallback(merged);
        }

        Config = merged;
    }

    /// <summary>The layers, highest priority first (flags, <c>--config</c> file, single-node.conf, reference.conf).</summary>
    public IReadOnlyList<ConfigLayer> Layers { get; }

    /// <summary>Every layer merged: later layers win key by key.</summary>
    public Config Config { get; }

    /// <summary>The layer whose value of <paramref name="path"/> is in effect; null when no layer sets it.</summary>
    public ConfigLayer? LayerOf(string path)
    {
        foreach (ConfigLayer layer in Layers)
        {
            if (layer.Config.HasPath(path))
            {
                return layer;
            }
        }

        return null;
    }

    /// <summary>A new configuration with <paramref name="layer"/> over this one's layers.</summary>
    public NodeConfig With(ConfigLayer layer) => new([layer, .. Layers]);
}
