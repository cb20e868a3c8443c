using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// Checks Akka's HOCON parser does not make: Akka's parser accepts unbalanced braces, a key with no value
/// and stray text without an error, which would start a node on settings its operator never meant. Every
/// file layer is checked before it is used; a failure is an <see cref="InvalidConfigException"/> naming the
/// file, the line and (where there is one) the key.
/// </summary>
internal static class ConfigValidator
{
    /// <summary>
    /// Braces and brackets balance and strings close (comments and quoted text skipped), and every key has a
    /// value. Throws <see cref="InvalidConfigException"/> otherwise.
    /// </summary>
    public static void CheckSyntax(ConfigLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        CheckBalance(layer.Name, layer.Text);
        if (layer.Config.Root is { } root && root.IsObject())
        {
            CheckValues(layer, root.GetObject(), string.Empty);
        }
    }

    /// <summary>
    /// Every key the layer sets under <c>actorlsm</c> exists in <paramref name="defaults"/> (a misspelt key
    /// would otherwise be ignored silently). Keys under <c>akka</c> are Akka's to interpret.
    /// </summary>
    public static void CheckKnownKeys(ConfigLayer layer, Config defaults)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(defaults);
        foreach (string path in LeafPaths(layer.Config))
        {
            if (path.StartsWith("actorlsm.", StringComparison.Ordinal) && !defaults.HasPath(path))
            {
                throw new InvalidConfigException("unknown setting (see hocon/reference.conf for every key)", layer.Name, layer.LineOf(path), path);
            }
        }
    }

    /// <summary>Full paths of the leaves (non-object values) of <paramref name="config"/>.</summary>
    public static IEnumerable<string> LeafPaths(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Root is not { } root || !root.IsObject())
        {
            return [];
        }

        var paths = new List<string>();
        Collect(root.GetObject(), string.Empty, paths);
        return paths;
    }

    private static void Collect(HoconObject node, string prefix, List<string> paths)
    {
        foreach ((string key, HoconValue value) in node.Items)
        {
            string path = prefix.Length == 0 ? key : prefix + "." + key;
            if (value.IsObject())
            {
                Collect(value.GetObject(), path, paths);
            }
            else
            {
                paths.Add(path);
            }
        }
    }

    private static void CheckValues(ConfigLayer layer, HoconObject node, string prefix)
    {
        foreach ((string key, HoconValue value) in node.Items)
        {
            string path = prefix.Length == 0 ? key : prefix + "." + key;
            if (value.IsEmpty)
            {
                throw new InvalidConfigException("expected a value after the key", layer.Name, layer.LineOf(path), path);
            }

            if (value.IsObject())
            {
                CheckValues(layer, value.GetObject(), path);
            }
        }
    }

    private static void CheckBalance(string name, string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                    i = SkipToEndOfLine(text, i);
                    i--;
                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    i = SkipToEndOfLine(text, i);
                    i--;
                    break;
                case '"':
                    i = SkipString(name, text, i, ref line);
                    break;
                case '{':
                case '[':
                    open.Push((c, line));
                    break;
                case '}':
                case ']':
                    char expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        throw new InvalidConfigException($"unexpected '{c}'", name, line, null);
                    }

                    open.Pop();
                    break;
            }
        }

        if (open.Count > 0)
        {
            (char bracket, int at) = open.Peek();
            throw new InvalidConfigException($"'{bracket}' opened here is never closed", name, at, null);
        }
    }

    private static int SkipToEndOfLine(string text, int i)
    {
        int end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }

    // Returns the index of the closing quote; a triple-quoted string runs to the next """.
    private static int SkipString(string name, string text, int start, ref int line)
    {
        int startLine = line;
        if (string.CompareOrdinal(text, start, "\"\"\"", 0, 3) == 0)
        {
            int close = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new InvalidConfigException("a \"\"\" string opened here is never closed", name, startLine, null);
            }

            line += text.AsSpan(start, close - start).Count('\n');
            return close + 2;
        }

        for (int i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    return i;
                case '\n':
                    throw new InvalidConfigException("a string opened here is not closed on its line", name, startLine, null);
            }
        }

        throw new InvalidConfigException("a string opened here is never closed", name, startLine, null);
    }
}
