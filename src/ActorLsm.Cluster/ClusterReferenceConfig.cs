namespace ActorLsm.Cluster;

/// <summary>Access to the cluster's commented default configuration (reference.conf, keys under <c>actorlsm.remote</c> and <c>actorlsm.cluster</c>).</summary>
public static class ClusterReferenceConfig
{
    /// <summary>Resource name of the embedded reference.conf.</summary>
    public const string ResourceName = "ActorLsm.Cluster.reference.conf";

    /// <summary>The text of the embedded reference.conf.</summary>
    public static string Text
    {
        get
        {
            using Stream stream = typeof(ClusterReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
