using System.Text;

namespace ActorLsm.Hocon.Model;

/// <summary>
/// A simple value: number, boolean, null or string, kept as the raw text written in the file
/// (quoted strings unescaped, concatenations joined). Interpretation is left to the typed getters,
/// as in Typesafe Config, so <c>64MiB</c> stays the string "64MiB".
/// </summary>
public sealed class HoconScalar : HoconValue
{
    internal HoconScalar(string text, bool isQuoted, HoconOrigin origin)
        : base(origin)
    {
        Text = text;
        IsQuoted = isQuoted;
    }

    /// <summary>The raw text of the value (without quotes, escapes decoded).</summary>
    public string Text { get; }

    /// <summary>True when the value came from a quoted string or a string concatenation.</summary>
    public bool IsQuoted { get; }

    /// <summary>True for the unquoted literal <c>null</c>.</summary>
    public bool IsNull => !IsQuoted && Text == "null";

    /// <inheritdoc />
    public override string Describe() => IsNull ? "null" : Quote(Text);

    /// <summary>Renders <paramref name="text"/> as a JSON-style quoted string for messages.</summary>
    internal static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
