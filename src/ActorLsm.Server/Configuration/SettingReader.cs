using System.Globalization;
using Akka.Configuration;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// Typed reads of a node's configuration with range checks. Every failure is an
/// <see cref="InvalidConfigException"/> naming the file (layer) that set the value, its line and the full key,
/// e.g. <c>node1.conf:12: actorlsm.storage.wal-sync-mode: expected none, batch or interval, got "sometimes"</c>.
/// </summary>
internal sealed class SettingReader(NodeConfig config)
{
    private readonly Config _config = config.Config;

    public string String(string path) => Read(path, "a string", () => _config.GetString(path, null!))
        ?? throw Error(path, "missing (every key has a default in hocon/reference.conf)");

    public bool Bool(string path)
    {
        string text = String(path).Trim();
        return text switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw Error(path, $"expected true or false, got \"{text}\""),
        };
    }

    public int Int(string path, int min, int max)
    {
        long value = Long(path, min, max);
        return (int)value;
    }

    public long Long(string path, long min, long max)
    {
        string text = String(path).Trim();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value >= min && value <= max ? value : throw OutOfRange(path, "an integer", Show(min), Show(max), Show(value))
            : throw Error(path, $"expected an integer, got \"{text}\"");
    }

    /// <summary>A size in bytes (<c>64MiB</c>, <c>4KiB</c>, <c>1000</c>) between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public long Bytes(string path, long min, long max)
    {
        string text = String(path).Trim();
        long? value = Read(path, "a size (e.g. 64MiB)", () => _config.GetByteSize(path));
        return value is not { } v
            ? throw Error(path, $"expected a size (e.g. 64MiB), got \"{text}\"")
            : v >= min && v <= max ? v : throw OutOfRange(path, "a size", Show(min), Show(max), Show(v));
    }

    /// <summary>A duration (<c>30s</c>, <c>100ms</c>) between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public TimeSpan Duration(string path, TimeSpan min, TimeSpan max)
    {
        TimeSpan value = Read(path, "a duration (e.g. 30s)", () => _config.GetTimeSpan(path, null, allowInfinite: false));
        return value >= min && value <= max ? value : throw OutOfRange(path, "a duration", Show(min), Show(max), Show(value));
    }

    /// <summary>A list of words (<c>[none, lz4]</c>); empty when the list is.</summary>
    public IReadOnlyList<string> Words(string path) =>
        Read(path, "a list (e.g. [none, lz4])", () => _config.GetStringList(path)) is { } list
            ? [.. list.Select(w => w.Trim())]
            : [];

    /// <summary>One of the words in <paramref name="choices"/> (case-sensitive, as written in reference.conf).</summary>
    public T Choice<T>(string path, params (string Word, T Value)[] choices) => Choice(path, String(path), choices);

    /// <summary>
    /// <paramref name="word"/> (a value of <paramref name="path"/>, e.g. one item of its list) as one of
    /// <paramref name="choices"/>.
    /// </summary>
    public T Choice<T>(string path, string word, (string Word, T Value)[] choices)
    {
        string text = word.Trim();
        foreach ((string choice, T value) in choices)
        {
            if (string.Equals(choice, text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        string words = choices.Length switch
        {
            1 => choices[0].Word,
            _ => string.Join(", ", choices[..^1].Select(c => c.Word)) + " or " + choices[^1].Word,
        };
        throw Error(path, $"expected {words}, got \"{text}\"");
    }

    /// <summary>An error located at the layer (file) and line that set <paramref name="path"/>.</summary>
    public InvalidConfigException Error(string path, string reason)
    {
        ConfigLayer? layer = config.LayerOf(path);
        return new InvalidConfigException(reason, layer?.Name, layer?.LineOf(path) ?? 0, path);
    }

    private T Read<T>(string path, string kind, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ConfigurationException or ArgumentException)
        {
            string got = _config.GetValue(path)?.ToString() ?? string.Empty;
            throw Error(path, $"expected {kind}, got \"{got}\"");
        }
    }

    private InvalidConfigException OutOfRange(string path, string kind, string min, string max, string got) =>
        Error(path, $"expected {kind} between {min} and {max}, got {got}");

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(TimeSpan value) => value == TimeSpan.MaxValue ? "infinite" : DurationText(value);

    private static string DurationText(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
}
