using System.Collections.Frozen;

namespace ActorLsm.Hocon;

/// <summary>
/// Duration strings in the format of the HOCON specification / Typesafe Config ("Duration format"):
/// a number (integer or decimal, optional sign), optional whitespace, then a unit —
/// <c>ns</c>/<c>nanos</c>/<c>nanoseconds</c>, <c>us</c>/<c>micros</c>/<c>microseconds</c>,
/// <c>ms</c>/<c>millis</c>/<c>milliseconds</c>, <c>s</c>/<c>seconds</c>, <c>m</c>/<c>minutes</c>,
/// <c>h</c>/<c>hours</c>, <c>d</c>/<c>days</c> (singular forms too). A bare number is milliseconds.
/// Units are case-sensitive. The result is rounded toward zero to whole <see cref="TimeSpan"/> ticks (100 ns).
/// </summary>
public static class HoconDuration
{
    private static readonly FrozenDictionary<string, decimal> s_ticksPerUnit = BuildUnits();

    /// <summary>Parses a duration such as <c>30s</c>, <c>500ms</c>, <c>5 minutes</c>, <c>1h</c>, <c>2d</c>, <c>100us</c>.</summary>
    /// <exception cref="HoconException">Not a number followed by a known unit, or out of <see cref="TimeSpan"/> range.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HoconUnits.TrySplit(text, out var number, out var unit))
        {
            throw new HoconException($"invalid duration \"{text}\": expected a number followed by a unit such as ms, s, m, h or d");
        }

        var name = unit.Length == 0 ? "ms" : unit;
        if (!s_ticksPerUnit.TryGetValue(name, out var ticksPerUnit))
        {
            throw new HoconException($"invalid duration \"{text}\": unknown unit '{unit}' (use ns, us, ms, s, m, h or d)");
        }

        var ticks = decimal.Truncate(number * ticksPerUnit);
        if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
        {
            throw new HoconException($"invalid duration \"{text}\": out of range");
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        try
        {
            duration = Parse(text);
            return true;
        }
        catch (HoconException)
        {
            duration = default;
            return false;
        }
    }

    private static FrozenDictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, ticks);
            }
        }

        Add(0.01m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(10m, "us", "micro", "micros", "microsecond", "microseconds");
        Add(TimeSpan.TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
