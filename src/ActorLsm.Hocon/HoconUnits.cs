using System.Globalization;

namespace ActorLsm.Hocon;

/// <summary>Splits <c>"30 s"</c> / <c>"64MiB"</c> into a decimal number and a unit name.</summary>
internal static class HoconUnits
{
    public static bool TrySplit(string text, out decimal number, out string unit)
    {
        number = 0;
        unit = string.Empty;
        var s = text.Trim();
        var end = 0;
        if (end < s.Length && (s[end] == '-' || s[end] == '+'))
        {
            end++;
        }

        var digitsStart = end;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.'))
        {
            end++;
        }

        if (end == digitsStart
            || !decimal.TryParse(s.AsSpan(0, end), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        unit = s[end..].TrimStart();
        return unit.All(char.IsAsciiLetter);
    }
}
