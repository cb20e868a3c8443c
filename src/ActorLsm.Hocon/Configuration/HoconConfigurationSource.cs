using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Configuration;

/// <summary>
/// A HOCON file as a Microsoft.Extensions.Configuration source (like the JSON file source): set
/// <see cref="FileConfigurationSource.Path"/>, <see cref="FileConfigurationSource.Optional"/> and friends,
/// or use <see cref="HoconConfigurationExtensions.AddHoconFile(IConfigurationBuilder, string, bool)"/>.
/// </summary>
public sealed class HoconConfigurationSource : FileConfigurationSource
{
    /// <summary>Builds the <see cref="HoconConfigurationProvider"/> for this source.</summary>
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new HoconConfigurationProvider(this);
    }
}
