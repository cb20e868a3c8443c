using System.Text;

namespace ActorLsm.Hocon.Parsing;

/// <summary>
/// Builds path segments from a key or path expression (HOCON specification, "Path expressions"):
/// unquoted text splits at <c>.</c>, quoted text is taken literally (so <c>"a.b"</c> is one segment),
/// whitespace between parts stays inside the segment.
/// </summary>
internal sealed class HoconPathBuilder
{
    private readonly List<string> _segments = [];
    private readonly StringBuilder _current = new();
    private readonly Func<string, HoconException> _error;
    private bool _hasCurrent;

    public HoconPathBuilder(Func<string, HoconException> error)
    {
        _error = error;
    }

    public void AddUnquoted(string text)
    {
        foreach (var c in text)
        {
            if (c == '.')
            {
                EndSegment();
            }
            else
            {
                _current.Append(c);
                _hasCurrent = true;
            }
        }
    }

    public void AddQuoted(string text)
    {
        _current.Append(text);
        _hasCurrent = true;
    }

    public void AddWhitespace(string text)
    {
        _current.Append(text);
        _hasCurrent = true;
    }

    public IReadOnlyList<string> Finish()
    {
        EndSegment();
        return _segments;
    }

    private void EndSegment()
    {
        if (!_hasCurrent)
        {
            throw _error("empty path segment: a path may not start or end with '.', or contain '..'; quote keys that contain dots");
        }

        _segments.Add(_current.ToString());
        _current.Clear();
        _hasCurrent = false;
    }
}
