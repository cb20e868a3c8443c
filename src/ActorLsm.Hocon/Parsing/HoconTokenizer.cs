using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ActorLsm.Hocon.Parsing;

/// <summary>
/// Splits HOCON text into tokens, tracking 1-based line and column. Handles <c>#</c> and <c>//</c> comments,
/// quoted strings with JSON escapes, triple-quoted strings, <c>${path}</c> / <c>${?path}</c> and unquoted text
/// (which may not contain <c>$ " { } [ ] : = , + # ` ^ ? ! @ * &amp; \</c> or <c>//</c>, as in the HOCON specification).
/// </summary>
internal sealed class HoconTokenizer
{
    private const string ForbiddenUnquoted = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _fileName;
    private readonly List<HoconToken> _tokens = [];
    private int _pos;
    private int _line = 1;
    private int _column = 1;

    private HoconTokenizer(string text, string fileName)
    {
        _text = text;
        _fileName = fileName;
    }

    /// <summary>Tokenizes <paramref name="text"/>; the list always ends with an <see cref="HoconTokenKind.End"/> token.</summary>
    /// <exception cref="HoconException">Unterminated string or substitution, bad escape, forbidden character.</exception>
    public static List<HoconToken> Tokenize(string text, string fileName)
    {
        var tokenizer = new HoconTokenizer(text, fileName);
        tokenizer.Run();
        return tokenizer._tokens;
    }

    private char Current => _pos < _text.Length ? _text[_pos] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private char Peek(int ahead) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private void Run()
    {
        while (!AtEnd)
        {
            AssertInvariants();
            var c = Current;
            int line = _line, column = _column;
            if (c == '\n')
            {
                Advance();
                Add(HoconTokenKind.Newline, "\n", line, column);
            }
            else if (IsWhitespace(c))
            {
                var start = _pos;
                while (!AtEnd && IsWhitespace(Current))
                {
                    Advance();
                }

                Add(HoconTokenKind.Whitespace, _text[start.._pos], line, column);
            }
            else if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                while (!AtEnd && Current != '\n')
                {
                    Advance();
                }
            }
            else
            {
                ReadToken(c, line, column);
            }
        }

        Add(HoconTokenKind.End, string.Empty, _line, _column);
    }

    private void ReadToken(char c, int line, int column)
    {
        switch (c)
        {
            case '{': Single(HoconTokenKind.LeftBrace, line, column); break;
            case '}': Single(HoconTokenKind.RightBrace, line, column); break;
            case '[': Single(HoconTokenKind.LeftBracket, line, column); break;
            case ']': Single(HoconTokenKind.RightBracket, line, column); break;
            case ',': Single(HoconTokenKind.Comma, line, column); break;
            case ':': Single(HoconTokenKind.Colon, line, column); break;
            case '=': Single(HoconTokenKind.Equals, line, column); break;
            case '+' when Peek(1) == '=':
                Advance();
                Advance();
                Add(HoconTokenKind.PlusEquals, "+=", line, column);
                break;
            case '"' when Peek(1) == '"' && Peek(2) == '"':
                Add(HoconTokenKind.Quoted, ReadTripleQuoted(line, column), line, column);
                break;
            case '"':
                Add(HoconTokenKind.Quoted, ReadQuoted(line, column), line, column);
                break;
            case '$' when Peek(1) == '{':
                ReadSubstitution(line, column);
                break;
            default:
                if (ForbiddenUnquoted.Contains(c, StringComparison.Ordinal))
                {
                    throw Error(line, column, $"character '{c}' is not allowed in an unquoted string; put the value in double quotes");
                }

                ReadUnquoted(line, column);
                break;
        }
    }

    private void Single(HoconTokenKind kind, int line, int column)
    {
        var text = Current.ToString();
        Advance();
        Add(kind, text, line, column);
    }

    private void ReadUnquoted(int line, int column)
    {
        var start = _pos;
        while (!AtEnd)
        {
            var c = Current;
            if (c == '+' && IsExponentSign(start))
            {
                Advance();
                continue;
            }

            if (c == '\n' || IsWhitespace(c) || ForbiddenUnquoted.Contains(c, StringComparison.Ordinal) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            Advance();
        }

        Add(HoconTokenKind.Unquoted, _text[start.._pos], line, column);
    }

    /// <summary>A '+' inside a JSON number's exponent (<c>1e+5</c>) belongs to the number.</summary>
    private bool IsExponentSign(int start)
    {
        var soFar = _text.AsSpan(start, _pos - start);
        return soFar.Length >= 2
            && (soFar[^1] == 'e' || soFar[^1] == 'E')
            && char.IsAsciiDigit(Peek(1))
            && soFar[..^1].IndexOfAnyExcept("0123456789.-") < 0
            && soFar.IndexOfAny("0123456789") >= 0;
    }

    private string ReadQuoted(int line, int column)
    {
        Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error(line, column, "unterminated string: the end of the file came before the closing '\"'");
            }

            var c = Current;
            if (c == '\n')
            {
                throw Error(line, column, "unterminated string: the end of the line came before the closing '\"' (use \"\"\" for multi-line strings)");
            }

            if (c == '"')
            {
                Advance();
                return sb.ToString();
            }

            if (c != '\\')
            {
                sb.Append(c);
                Advance();
                continue;
            }

            int escLine = _line, escColumn = _column;
            Advance();
            if (AtEnd)
            {
                throw Error(line, column, "unterminated string: the end of the file came after a '\\'");
            }

            var e = Current;
            Advance();
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length
                        || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error(escLine, escColumn, "invalid \\u escape: expected four hex digits");
                    }

                    sb.Append((char)code);
                    for (var i = 0; i < 4; i++)
                    {
                        Advance();
                    }

                    break;
                default:
                    throw Error(escLine, escColumn, $"invalid escape '\\{e}' in a quoted string");
            }
        }
    }

    private string ReadTripleQuoted(int line, int column)
    {
        Advance();
        Advance();
        Advance();
        var start = _pos;
        while (true)
        {
            if (AtEnd)
            {
                throw Error(line, column, "unterminated string: the end of the file came before the closing '\"\"\"'");
            }

            if (Current == '"' && Peek(1) == '"' && Peek(2) == '"' && Peek(3) != '"')
            {
                // Quotes before the last three belong to the content.
                var content = _text[start.._pos];
                Advance();
                Advance();
                Advance();
                return content;
            }

            Advance();
        }
    }

    private void ReadSubstitution(int line, int column)
    {
        Advance();
        Advance();
        var optional = false;
        if (Current == '?')
        {
            optional = true;
            Advance();
        }

        var start = _pos;
        var inQuotes = false;
        while (true)
        {
            if (AtEnd || Current == '\n')
            {
                throw Error(line, column, "unterminated substitution: missing '}' after '${'");
            }

            var c = Current;
            if (inQuotes && c == '\\')
            {
                Advance();
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == '}' && !inQuotes)
            {
                break;
            }

            Advance();
        }

        var inner = _text[start.._pos];
        Advance();
        IReadOnlyList<string> path;
        try
        {
            path = HoconPath.Parse(inner.Trim());
        }
        catch (HoconException ex)
        {
            throw Error(line, column, $"invalid substitution ${{{inner}}}: {ex.Reason}");
        }

        _tokens.Add(new HoconToken(HoconTokenKind.Substitution, (optional ? "?" : string.Empty) + inner, line, column, path, optional));
    }

    private void Advance()
    {
        if (_text[_pos] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _pos++;
    }

    private void Add(HoconTokenKind kind, string text, int line, int column) =>
        _tokens.Add(new HoconToken(kind, text, line, column));

    private static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private HoconException Error(int line, int column, string reason) =>
        new(reason, _fileName, line, column, path: null);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_pos >= 0 && _pos <= _text.Length, "position stays inside the text");
        Debug.Assert(_line >= 1 && _column >= 1, "line and column are 1-based");
    }
}
