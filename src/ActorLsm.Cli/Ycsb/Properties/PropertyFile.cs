using System.Globalization;
using System.Text;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// Reads Java <c>.properties</c> text, the format of YCSB workload files: one <c>name=value</c>
/// (or <c>name: value</c>, or <c>name value</c>) per logical line; lines whose first non-blank
/// character is <c>#</c> or <c>!</c> are comments; a line ending in an odd number of
/// backslashes continues on the next line (leading blanks of the continuation dropped); escapes
/// <c>\t \n \r \f \\ \uXXXX</c> and an escaped separator are understood. A later definition of
/// a name replaces an earlier one.
/// </summary>
internal static class PropertyFile
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="WorkloadPropertyException">A malformed <c>\u</c> escape.</exception>
    public static Dictionary<string, string> Parse(string text, string source)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        int lineNumber = 0;
        while (lineNumber < lines.Length)
        {
            int firstLine = lineNumber + 1;
            string line = lines[lineNumber++].TrimEnd('\r').TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] == '#' || line[0] == '!')
            {
                continue;
            }

            var logical = new StringBuilder();
            while (EndsWithContinuation(line) && lineNumber < lines.Length)
            {
                logical.Append(line, 0, line.Length - 1);
                line = lines[lineNumber++].TrimEnd('\r').TrimStart(' ', '\t', '\f');
            }

            if (EndsWithContinuation(line))
            {
                line = line[..^1];
            }

            logical.Append(line);
            (string name, string value) = SplitEntry(logical.ToString(), source, firstLine);
            result[name] = value;
        }

        return result;
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    /// <exception cref="WorkloadPropertyException">The file cannot be read or is malformed.</exception>
    public static Dictionary<string, string> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkloadPropertyException($"cannot read workload file '{path}': {e.Message}", e);
        }

        return Parse(text, path);
    }

    private static bool EndsWithContinuation(string line)
    {
        int backslashes = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    private static (string Name, string Value) SplitEntry(string entry, string source, int line)
    {
        // The name ends at the first unescaped '=', ':' or blank; blanks around the separator are dropped.
        int i = 0;
        while (i < entry.Length)
        {
            char c = entry[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }

            i++;
        }

        int nameEnd = Math.Min(i, entry.Length);
        while (i < entry.Length && entry[i] is ' ' or '\t' or '\f')
        {
            i++;
        }

        if (i < entry.Length && entry[i] is '=' or ':')
        {
            i++;
            while (i < entry.Length && entry[i] is ' ' or '\t' or '\f')
            {
                i++;
            }
        }

        return (Unescape(entry[..nameEnd], source, line), Unescape(entry[i..], source, line));
    }

    private static string Unescape(string s, string source, int line)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 == s.Length)
            {
                sb.Append(c);
                continue;
            }

            char e = s[++i];
            switch (e)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (s.Length - i - 1 < 4
                        || !ushort.TryParse(s.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                    {
                        throw new WorkloadPropertyException($"{source}:{line}: malformed \\u escape");
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }
}
