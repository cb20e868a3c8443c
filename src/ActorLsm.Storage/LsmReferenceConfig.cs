namespace ActorLsm.Storage;

/// <summary>Access to the storage engine's commented default configuration (reference.conf).</summary>
public static class LsmReferenceConfig
{
    /// <summary>Resource name of the embedded reference.conf.</summary>
    public const string ResourceName = "ActorLsm.Storage.reference.conf";

    /// <summary>The text of the embedded reference.conf: every key under <c>actorlsm.storage</c> with its default and a comment.</summary>
    public static string Text
    {
        get
        {
            using Stream stream = typeof(LsmReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
