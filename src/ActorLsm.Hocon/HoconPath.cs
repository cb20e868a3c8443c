using ActorLsm.Hocon.Model;
using ActorLsm.Hocon.Parsing;

namespace ActorLsm.Hocon;

/// <summary>Parses and renders HOCON path expressions such as <c>actorlsm.storage."block.size"</c>.</summary>
internal static class HoconPath
{
    private const string NeedsQuotes = "$\"{}[]:=,+#`^?!@*&\\./";

    /// <summary>Splits a path expression into segments.</summary>
    /// <exception cref="HoconException">Empty path, empty segment, or characters not allowed in a path.</exception>
    public static IReadOnlyList<string> Parse(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new HoconException("a path may not be empty");
        }

        var builder = new HoconPathBuilder(reason => new HoconException($"invalid path '{path}': {reason}"));
        List<HoconToken> tokens;
        try
        {
            tokens = HoconTokenizer.Tokenize(path, "<path>");
        }
        catch (HoconException ex)
        {
            throw new HoconException($"invalid path '{path}': {ex.Reason}", ex);
        }

        var last = tokens.Count - 2;
        while (last >= 0 && tokens[last].Kind == HoconTokenKind.Whitespace)
        {
            last--;
        }

        var first = 0;
        while (first <= last && tokens[first].Kind == HoconTokenKind.Whitespace)
        {
            first++;
        }

        for (var i = first; i <= last; i++)
        {
            var t = tokens[i];
            switch (t.Kind)
            {
                case HoconTokenKind.Unquoted: builder.AddUnquoted(t.Text); break;
                case HoconTokenKind.Quoted: builder.AddQuoted(t.Text); break;
                case HoconTokenKind.Whitespace: builder.AddWhitespace(t.Text); break;
                default: throw new HoconException($"invalid path '{path}': unexpected {t.Describe()}");
            }
        }

        return builder.Finish();
    }

    /// <summary>Joins segments with dots, quoting segments that would not read back as one unquoted segment.</summary>
    public static string Render(IEnumerable<string> segments) =>
        string.Join('.', segments.Select(s =>
            s.Length == 0 || s.Any(c => char.IsWhiteSpace(c) || NeedsQuotes.Contains(c, StringComparison.Ordinal))
                ? HoconScalar.Quote(s)
                : s));
}
