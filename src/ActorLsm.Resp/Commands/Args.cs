using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>Argument parsing and reply helpers shared by the commands.</summary>
internal static class Args
{
    public static string Text(byte[] arg) => Encoding.UTF8.GetString(arg);

    public static bool Is(byte[] arg, string word) => arg.Length == word.Length && Text(arg).Equals(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>Redis's strict integer syntax (string2ll): optional '-', digits, no spaces, no '+', no leading zeros.</summary>
    public static bool TryLong(byte[] arg, out long value)
    {
        value = 0;
        if (arg.Length == 0 || arg.Length > 20)
        {
            return false;
        }

        if (arg.Length > 1 && (arg[0] == (byte)'0' || (arg[0] == (byte)'-' && arg[1] == (byte)'0')))
        {
            return false;
        }

        return arg[0] != (byte)'+' && Utf8Parser.TryParse(arg, out value, out int used) && used == arg.Length;
    }

    public static bool TryDouble(byte[] arg, out double value)
    {
        string text = Text(arg);
        value = 0;
        if (text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return false;
        }

        string lower = text.ToLowerInvariant();
        if (lower is "inf" or "+inf" or "infinity" or "+infinity")
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (lower is "-inf" or "-infinity")
        {
            value = double.NegativeInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }

    /// <summary>A double as INCRBYFLOAT stores it: shortest round-trip digits, never an exponent.</summary>
    public static string FormatDouble(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            text = value.ToString("0.#################", CultureInfo.InvariantCulture);
        }

        return text;
    }

    public static byte[] Ascii(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The reply of <paramref name="task"/> through <paramref name="map"/>, without a state machine when already done.</summary>
    public static ValueTask<RespValue> Map<T>(Task<T> task, Func<T, RespValue> map)
    {
        if (task.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(map(task.Result));
        }

        return Await(task, map);

        static async ValueTask<RespValue> Await(Task<T> task, Func<T, RespValue> map) => map(await task.ConfigureAwait(false));
    }

    public static ValueTask<RespValue> Of(Task<RespValue> task) =>
        task.IsCompletedSuccessfully ? ValueTask.FromResult(task.Result) : new ValueTask<RespValue>(task);
}

/// <summary>Redis's glob-style patterns (KEYS, SCAN MATCH, CONFIG GET): <c>*</c>, <c>?</c>, <c>[a-z]</c>, <c>[^x]</c>, <c>\</c> escapes.</summary>
public static class GlobPattern
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/> (case-sensitive unless <paramref name="ignoreCase"/>).</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        while (pattern.Length > 0)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == (byte)'*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    for (int i = 0; i <= text.Length; i++)
                    {
                        if (IsMatch(pattern[1..], text[i..], ignoreCase))
                        {
                            return true;
                        }
                    }

                    return false;
                case (byte)'?':
                    if (text.Length == 0)
                    {
                        return false;
                    }

                    text = text[1..];
                    pattern = pattern[1..];
                    break;
                case (byte)'[':
                {
                    if (text.Length == 0)
                    {
                        return false;
                    }

                    int i = 1;
                    bool not = i < pattern.Length && pattern[i] == (byte)'^';
                    if (not)
                    {
                        i++;
                    }

                    bool match = false;
                    while (i < pattern.Length && pattern[i] != (byte)']')
                    {
                        if (pattern[i] == (byte)'\\' && i + 1 < pattern.Length)
                        {
                            i++;
                            match |= Eq(pattern[i], text[0], ignoreCase);
                            i++;
                        }
                        else if (i + 2 < pattern.Length && pattern[i + 1] == (byte)'-' && pattern[i + 2] != (byte)']')
                        {
                            byte lo = Math.Min(pattern[i], pattern[i + 2]);
                            byte hi = Math.Max(pattern[i], pattern[i + 2]);
                            byte c = ignoreCase ? Lower(text[0]) : text[0];
                            match |= c >= (ignoreCase ? Lower(lo) : lo) && c <= (ignoreCase ? Lower(hi) : hi);
                            i += 3;
                        }
                        else
                        {
                            match |= Eq(pattern[i], text[0], ignoreCase);
                            i++;
                        }
                    }

                    if (match == not)
                    {
                        return false;
                    }

                    pattern = i < pattern.Length ? pattern[(i + 1)..] : [];
                    text = text[1..];
                    break;
                }

                case (byte)'\\' when pattern.Length > 1:
                    if (text.Length == 0 || !Eq(pattern[1], text[0], ignoreCase))
                    {
                        return false;
                    }

                    pattern = pattern[2..];
                    text = text[1..];
                    break;
                default:
                    if (text.Length == 0 || !Eq(pattern[0], text[0], ignoreCase))
                    {
                        return false;
                    }

                    pattern = pattern[1..];
                    text = text[1..];
                    break;
            }
        }

        return text.Length == 0;
    }

    private static bool Eq(byte a, byte b, bool ignoreCase) => ignoreCase ? Lower(a) == Lower(b) : a == b;

    private static byte Lower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + 32) : c;
}
