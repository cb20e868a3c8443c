using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Configuration;

/// <summary>
/// Loads a HOCON file into Microsoft.Extensions.Configuration keys (<c>a.b.c</c> becomes <c>a:b:c</c>, list elements
/// <c>key:0</c>, <c>key:1</c>; scalars keep their raw text, so <c>64MiB</c> stays a string for <see cref="HoconSize"/>).
/// Includes resolve relative to the file's physical path. Parse errors surface as the
/// <see cref="InvalidDataException"/> that <see cref="FileConfigurationProvider"/> raises, wrapping a <see cref="HoconException"/>.
/// </summary>
public sealed class HoconConfigurationProvider : FileConfigurationProvider
{
    /// <summary>Creates a provider for <paramref name="source"/>.</summary>
    public HoconConfigurationProvider(HoconConfigurationSource source)
        : base(source)
    {
    }

    /// <summary>Parses the file's content and replaces <see cref="ConfigurationProvider.Data"/>.</summary>
    /// <exception cref="HoconException">Any HOCON error in the file or its includes.</exception>
    public override void Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var physicalPath = Source.Path is null ? null : Source.FileProvider?.GetFileInfo(Source.Path).PhysicalPath;
        var config = HoconConfig.Parse(text, physicalPath ?? Source.Path);
        Data = HoconConfigurationFlattener.Flatten(config.Root);
    }
}
