using System.Text.RegularExpressions;
using Akka.Configuration;

namespace ActorLsm.Server.Configuration;

/// <summary>
/// One HOCON source of a node's configuration (reference.conf, single-node.conf, the <c>--config</c> file,
/// the flags) with its text, so that an error can name the file and line that set a key.
/// </summary>
/// <param name="Name">The file name shown in errors (the path given for <c>--config</c>).</param>
/// <param name="Text">The HOCON text.</param>
/// <param name="Config">The parsed text, on its own (no fallback).</param>
public sealed record ConfigLayer(string Name, string Text, Config Config)
{
    /// <summary>
    /// Best-effort 1-based line on which this layer sets <paramref name="path"/>: the last line where the
    /// key's last segment stands before <c>=</c>, <c>:</c> or <c>{</c> (Akka's HOCON keeps no positions);
    /// 0 when not found.
    /// </summary>
    public int LineOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string last = path[(path.LastIndexOf('.') + 1)..];
        var pattern = new Regex("(^|[\\s{.\"])" + Regex.Escape(last) + "\"?\\s*[=:{]", RegexOptions.CultureInvariant);
        string[] lines = Text.Split('\n');
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            string line = lines[i].TrimStart();
            if (!line.StartsWith('#') && !line.StartsWith("//", StringComparison.Ordinal) && pattern.IsMatch(line))
            {
                return i + 1;
            }
        }

        return 0;
    }
}
