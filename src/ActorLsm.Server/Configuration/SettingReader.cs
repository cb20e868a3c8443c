using System.Globalization;
using ActorLsm.Hocon;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// Typed reads of one HOCON configuration with range checks. Every failure is a
/// <see cref="HoconException"/> located at the value's file and line and naming its full key,
/// e.g. <c>node1.conf:12: actorlsm.storage.wal-sync-mode: expected none, batch or interval, got "sometimes"</c>.
/// </summary>
internal sealed class SettingReader(HoconConfig config)
{
    public string String(string path) => config.GetString(path);

    public bool Bool(string path) => config.GetBool(path);

    public int Int(string path, int min, int max)
    {
        int value = config.GetInt(path);
        return value >= min && value <= max ? value : throw OutOfRange(path, "an integer", Show(min), Show(max), Show(value));
    }

    public long Long(string path, long min, long max)
    {
        long value = config.GetLong(path);
        return value >= min && value <= max ? value : throw OutOfRange(path, "an integer", Show(min), Show(max), Show(value));
    }

    /// <summary>A size in bytes (<c>64MiB</c>) between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public long Bytes(string path, long min, long max)
    {
        long value = config.GetBytes(path);
        return value >= min && value <= max ? value : throw OutOfRange(path, "a size", Show(min), Show(max), Show(value));
    }

    /// <summary>A duration (<c>30s</c>) between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public TimeSpan Duration(string path, TimeSpan min, TimeSpan max)
    {
        TimeSpan value = config.GetDuration(path);
        return value >= min && value <= max ? value : throw OutOfRange(path, "a duration", Show(min), Show(max), Show(value));
    }

    /// <summary>One of the words in <paramref name="choices"/> (case-sensitive, as written in reference.conf).</summary>
    public T Choice<T>(string path, params (string Word, T Value)[] choices)
    {
        string text = config.GetString(path).Trim();
        foreach ((string word, T value) in choices)
        {
            if (string.Equals(word, text, StringComparison.Ordinal))
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

    /// <summary>An error located at the value of <paramref name="path"/> (or the document when absent).</summary>
    public HoconException Error(string path, string reason)
    {
        var origin = config.GetValue(path)?.Origin;
        return new HoconException(reason, origin?.FileName, origin?.Line ?? 0, 0, path);
    }

    private HoconException OutOfRange(string path, string kind, string min, string max, string got) =>
        Error(path, $"expected {kind} between {min} and {max}, got {got}");

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(TimeSpan value) => value == TimeSpan.MaxValue ? "infinite" : HoconDurationText(value);

    private static string HoconDurationText(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
}
