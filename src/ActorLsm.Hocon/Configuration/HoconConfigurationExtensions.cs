using System.Text;
using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Configuration;

/// <summary>Registers HOCON sources on an <see cref="IConfigurationBuilder"/>, in the style of <c>AddJsonFile</c>.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>
    /// Adds the HOCON file at <paramref name="path"/> (absolute, or relative to the builder's base path).
    /// </summary>
    /// <param name="builder">The builder to add to.</param>
    /// <param name="path">The file path.</param>
    /// <param name="optional">When true a missing file yields no settings instead of a <see cref="FileNotFoundException"/>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.AddHoconFile(source =>
        {
            source.Path = path;
            source.Optional = optional;
            source.ResolveFileProvider();
        });
    }

    /// <summary>Adds a HOCON file source configured by <paramref name="configure"/> (file provider, reload-on-change, ...).</summary>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, Action<HoconConfigurationSource> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(configure);
    }

    /// <summary>Adds HOCON read once from <paramref name="stream"/> when the configuration is built.</summary>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IConfigurationBuilder AddHoconStream(this IConfigurationBuilder builder, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(stream);
        return builder.Add<HoconStreamConfigurationSource>(source => source.Stream = stream);
    }

    /// <summary>Adds HOCON text (encoded to UTF-8 and read through <see cref="AddHoconStream"/>).</summary>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IConfigurationBuilder AddHoconString(this IConfigurationBuilder builder, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return builder.AddHoconStream(new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false));
    }
}
