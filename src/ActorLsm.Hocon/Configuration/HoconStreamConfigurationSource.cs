using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Configuration;

/// <summary>
/// HOCON read once from a <see cref="Stream"/> as a Microsoft.Extensions.Configuration source
/// (see <see cref="HoconConfigurationExtensions.AddHoconStream"/> and <see cref="HoconConfigurationExtensions.AddHoconString"/>).
/// Includes resolve relative to the current directory.
/// </summary>
public sealed class HoconStreamConfigurationSource : StreamConfigurationSource
{
    /// <summary>Builds the <see cref="HoconStreamConfigurationProvider"/> for this source.</summary>
    public override IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconStreamConfigurationProvider(this);
}

/// <summary>Loads HOCON from a stream into configuration keys, with the same key mapping as <see cref="HoconConfigurationProvider"/>.</summary>
public sealed class HoconStreamConfigurationProvider : StreamConfigurationProvider
{
    /// <summary>Creates a provider for <paramref name="source"/>.</summary>
    public HoconStreamConfigurationProvider(HoconStreamConfigurationSource source)
        : base(source)
    {
    }

    /// <summary>Parses the stream and replaces <see cref="ConfigurationProvider.Data"/>.</summary>
    /// <exception cref="HoconException">Any HOCON error; file name in messages is <c>&lt;stream&gt;</c>.</exception>
    public override void Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream);
        var root = HoconConfig.Parse(reader.ReadToEnd(), "<stream>").Root;
        Data = HoconConfigurationFlattener.Flatten(root);
    }
}
