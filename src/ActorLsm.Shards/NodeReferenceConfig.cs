namespace ActorLsm.Shards;

/// <summary>
/// Access to the node's commented default configuration (reference.conf, keys under
/// <c>actorlsm.node</c> and the dispatcher <c>actorlsm.io-dispatcher</c>); parsed by Akka's HOCON
/// parser as <see cref="ShardedNode.DefaultConfig"/>.
/// </summary>
public static class NodeReferenceConfig
{
    /// <summary>Resource name of the embedded reference.conf.</summary>
    public const string ResourceName = "ActorLsm.Shards.reference.conf";

    /// <summary>The text of the embedded reference.conf: every key under <c>actorlsm.node</c> and <c>actorlsm.io-dispatcher</c> with its default and a comment.</summary>
    public static string Text
    {
        get
        {
            using Stream stream = typeof(NodeReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
