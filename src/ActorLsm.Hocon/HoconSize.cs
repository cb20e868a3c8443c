using System.Collections.Frozen;

namespace ActorLsm.Hocon;

/// <summary>
/// Size-in-bytes strings in the format of the HOCON specification / Typesafe Config ("Size in bytes format"):
/// a non-negative number, optional whitespace, then a unit. Powers of 1024: <c>K k Ki KiB kibibyte(s)</c>,
/// <c>M m Mi MiB mebibyte(s)</c>, <c>G g Gi GiB gibibyte(s)</c>, <c>T t Ti TiB</c>, <c>P p Pi PiB</c>, <c>E e Ei EiB</c>.
/// Powers of 1000: <c>kB kilobyte(s)</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>, <c>PB</c>, <c>EB</c>.
/// Bytes: no unit, <c>B</c>, <c>b</c>, <c>byte</c>, <c>bytes</c>. So <c>512k</c> is 524288 and <c>64MB</c> is 64000000.
/// Fractions (<c>1.5KiB</c>) are allowed; the result is rounded toward zero to whole bytes.
/// </summary>
public static class HoconSize
{
    private static readonly FrozenDictionary<string, decimal> s_bytesPerUnit = BuildUnits();

    /// <summary>Parses a size such as <c>64MiB</c>, <c>4KiB</c>, <c>1GiB</c>, <c>64MB</c>, <c>512k</c> or <c>4096</c>; returns bytes.</summary>
    /// <exception cref="HoconException">Not a number followed by a known unit, negative, or larger than <see cref="long.MaxValue"/>.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HoconUnits.TrySplit(text, out var number, out var unit))
        {
            throw new HoconException($"invalid size \"{text}\": expected a number followed by a unit such as B, KiB, MiB, GiB, kB or MB");
        }

        if (!s_bytesPerUnit.TryGetValue(unit, out var bytesPerUnit))
        {
            throw new HoconException($"invalid size \"{text}\": unknown unit '{unit}' (use B, K/KiB, M/MiB, G/GiB, T/TiB, kB, MB, GB or TB)");
        }

        if (number < 0)
        {
            throw new HoconException($"invalid size \"{text}\": a size may not be negative");
        }

        decimal bytes;
        try
        {
            bytes = decimal.Truncate(number * bytesPerUnit);
        }
        catch (OverflowException ex)
        {
            throw new HoconException($"invalid size \"{text}\": out of range", ex);
        }

        if (bytes > long.MaxValue)
        {
            throw new HoconException($"invalid size \"{text}\": larger than {long.MaxValue} bytes");
        }

        return (long)bytes;
    }

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        try
        {
            bytes = Parse(text);
            return true;
        }
        catch (HoconException)
        {
            bytes = 0;
            return false;
        }
    }

    private static FrozenDictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(decimal bytes, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, bytes);
            }
        }

        Add(1m, string.Empty, "B", "b", "byte", "bytes");
        (string Letter, string Si, string Iec)[] prefixes =
        [
            ("K", "kilo", "kibi"), ("M", "mega", "mebi"), ("G", "giga", "gibi"),
            ("T", "tera", "tebi"), ("P", "peta", "pebi"), ("E", "exa", "exbi"),
        ];
        decimal si = 1m, iec = 1m;
        foreach (var (letter, siName, iecName) in prefixes)
        {
            si *= 1000m;
            iec *= 1024m;
            var lower = letter.ToLowerInvariant();
            Add(iec, letter, lower, letter + "i", letter + "iB", iecName + "byte", iecName + "bytes");
            Add(si, (letter == "K" ? "k" : letter) + "B", siName + "byte", siName + "bytes");
        }

        return units.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
