using System.Globalization;
using System.Text;

namespace ActorLsm.Hocon;

/// <summary>
/// The single error type of the HOCON parser, resolver, unit helpers and typed getters.
/// The message has the shape <c>file:line:col: path: reason</c>; parts that are unknown are left out
/// (typed getters report <c>file:line: path: reason</c>, without a column).
/// </summary>
public sealed class HoconException : Exception
{
    /// <summary>Creates an error with a generic message and no location.</summary>
    public HoconException()
        : this("invalid HOCON")
    {
    }

    /// <summary>Creates an error with <paramref name="message"/> as its reason and no location.</summary>
    public HoconException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates an error with <paramref name="message"/> as its reason, no location, and a cause.</summary>
    public HoconException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>
    /// Creates an error located in a source file.
    /// </summary>
    /// <param name="reason">What went wrong, without the location prefix.</param>
    /// <param name="fileName">The file (or <c>&lt;string&gt;</c>) the error is in; null when unknown.</param>
    /// <param name="line">1-based line; 0 when unknown.</param>
    /// <param name="column">1-based column; 0 when unknown or not meaningful.</param>
    /// <param name="path">The HOCON path (<c>a.b.c</c>) concerned; null when unknown.</param>
    /// <param name="innerException">The cause, if any.</param>
    public HoconException(string reason, string? fileName, int line, int column, string? path, Exception? innerException = null)
        : base(Format(reason, fileName, line, column, path), innerException)
    {
        Reason = reason;
        FileName = fileName;
        Line = line;
        Column = column;
        Path = path;
    }

    /// <summary>The reason alone, without the <c>file:line:col: path:</c> prefix.</summary>
    public string Reason { get; }

    /// <summary>The file the error is in (as given to the parser, or <c>&lt;string&gt;</c>); null when unknown.</summary>
    public string? FileName { get; }

    /// <summary>1-based line of the error; 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error; 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The HOCON path concerned (<c>actorlsm.storage.block-size</c>); null when unknown.</summary>
    public string? Path { get; }

    private static string Format(string reason, string? fileName, int line, int column, string? path)
    {
        var sb = new StringBuilder();
        if (fileName is not null)
        {
            sb.Append(fileName);
            if (line > 0)
            {
                sb.Append(':').Append(line.ToString(CultureInfo.InvariantCulture));
                if (column > 0)
                {
                    sb.Append(':').Append(column.ToString(CultureInfo.InvariantCulture));
                }
            }

            sb.Append(": ");
        }

        if (path is not null)
        {
            sb.Append(path).Append(": ");
        }

        return sb.Append(reason).ToString();
    }
}
