using System.Buffers;
using System.Buffers.Text;

namespace ActorLsm.Resp.Protocol;

/// <summary>The outcome of one <see cref="RespParser.TryParse"/> call.</summary>
public enum RespParseStatus
{
    /// <summary>A whole command was read; the buffer was advanced past it.</summary>
    Command,

    /// <summary>The buffer holds only part of a command; read more and call again (nothing consumed).</summary>
    Incomplete,

    /// <summary>The bytes are not RESP; the connection answers the error and closes (as Redis does).</summary>
    ProtocolError,
}

/// <summary>
/// Reads client commands: RESP arrays of bulk strings (<c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>), which
/// every client library and redis-cli send, and inline commands (<c>PING\r\n</c>, words separated by
/// spaces) as typed into telnet. Stateless: a partial command is parsed again from its start once more
/// bytes have arrived. Limits, as Redis's: at most <see cref="MaxArgs"/> arguments and
/// <see cref="MaxBulkLength"/> bytes per argument, inline lines of at most <see cref="MaxInlineLength"/> bytes
/// (and, like arrays, of at most <see cref="MaxArgs"/> words: <c>Protocol error: too many arguments in inline request</c>).
/// Protocol errors carry Redis's wording (<c>Protocol error: invalid bulk length</c>).
/// </summary>
public sealed class RespParser
{
    /// <summary>Most arguments in one command (Redis: 1024*1024).</summary>
    public int MaxArgs { get; init; } = 1024 * 1024;

    /// <summary>Most bytes in one argument (Redis's proto-max-bulk-len, 512 MiB).</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Longest inline command line (Redis: 64 KiB).</summary>
    public int MaxInlineLength { get; init; } = 64 * 1024;

    /// <summary>
    /// Reads one command from the front of <paramref name="buffer"/>. On <see cref="RespParseStatus.Command"/>,
    /// <paramref name="args"/> holds its arguments (the name first; an empty inline line gives an empty list,
    /// which the caller skips) and <paramref name="buffer"/> is sliced past it. On
    /// <see cref="RespParseStatus.ProtocolError"/>, <paramref name="error"/> is the reply text.
    /// </summary>
    public RespParseStatus TryParse(ref ReadOnlySequence<byte> buffer, out List<byte[]> args, out string? error)
    {
        args = [];
        error = null;
        if (buffer.IsEmpty)
        {
            return RespParseStatus.Incomplete;
        }

        var reader = new SequenceReader<byte>(buffer);
        RespParseStatus status = buffer.FirstSpan[0] == (byte)'*'
            ? ParseMultiBulk(ref reader, args, out error)
            : ParseInline(ref reader, args, out error);
        if (status == RespParseStatus.Command)
        {
            buffer = buffer.Slice(reader.Position);
        }

        return status;
    }

    private RespParseStatus ParseMultiBulk(ref SequenceReader<byte> reader, List<byte[]> args, out string? error)
    {
        error = null;
        reader.Advance(1);
        if (!TryReadLine(ref reader, out ReadOnlySpan<byte> countText, 32, out bool tooLong))
        {
            return Incomplete(tooLong, "Protocol error: invalid multibulk length", out error);
        }

        if (!Utf8Parser.TryParse(countText, out long count, out int used) || used != countText.Length || count > MaxArgs)
        {
            error = "Protocol error: invalid multibulk length";
            return RespParseStatus.ProtocolError;
        }

        if (count <= 0)
        {
            return RespParseStatus.Command;
        }

        args.Capacity = (int)Math.Min(count, 1024);
        for (long i = 0; i < count; i++)
        {
            if (!reader.TryPeek(out byte marker))
            {
                return RespParseStatus.Incomplete;
            }

            if (marker != (byte)'$')
            {
                error = $"Protocol error: expected '$', got '{(char)marker}'";
                return RespParseStatus.ProtocolError;
            }

            reader.Advance(1);
            if (!TryReadLine(ref reader, out ReadOnlySpan<byte> lengthText, 32, out tooLong))
            {
                return Incomplete(tooLong, "Protocol error: invalid bulk length", out error);
            }

            if (!Utf8Parser.TryParse(lengthText, out long length, out used) || used != lengthText.Length || length < 0 || length > MaxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                return RespParseStatus.ProtocolError;
            }

            if (reader.Remaining < length + 2)
            {
                return RespParseStatus.Incomplete;
            }

            byte[] arg = new byte[length];
            reader.TryCopyTo(arg);
            reader.Advance(length);
            if (!reader.IsNext("\r\n"u8, advancePast: true))
            {
                error = "Protocol error: invalid bulk length";
                return RespParseStatus.ProtocolError;
            }

            args.Add(arg);
        }

        return RespParseStatus.Command;
    }

    private RespParseStatus ParseInline(ref SequenceReader<byte> reader, List<byte[]> args, out string? error)
    {
        error = null;
        if (!TryReadLine(ref reader, out ReadOnlySpan<byte> line, MaxInlineLength, out bool tooLong))
        {
            return Incomplete(tooLong, "Protocol error: too big inline request", out error);
        }

        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && (line[i] == (byte)' ' || line[i] == (byte)'\t'))
            {
                i++;
            }

            if (i >= line.Length)
            {
                break;
            }

            if (args.Count == MaxArgs)
            {
                // Found by fuzzing: the line's length alone bounds its words only when MaxArgs is large.
                args.Clear();
                error = "Protocol error: too many arguments in inline request";
                return RespParseStatus.ProtocolError;
            }

            int start = i;
            if (line[i] == (byte)'"')
            {
                // A quoted word: runs to the next quote (no escapes inside).
                int close = line[(i + 1)..].IndexOf((byte)'"');
                if (close < 0)
                {
                    error = "Protocol error: unbalanced quotes in request";
                    return RespParseStatus.ProtocolError;
                }

                args.Add(line.Slice(i + 1, close).ToArray());
                i += close + 2;
                continue;
            }

            while (i < line.Length && line[i] != (byte)' ' && line[i] != (byte)'\t')
            {
                i++;
            }

            args.Add(line[start..i].ToArray());
        }

        return RespParseStatus.Command;
    }

    private static RespParseStatus Incomplete(bool tooLong, string message, out string? error)
    {
        error = tooLong ? message : null;
        return tooLong ? RespParseStatus.ProtocolError : RespParseStatus.Incomplete;
    }

    // A line ending in \n (a preceding \r is dropped). tooLong: no line end within max bytes.
    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line, int max, out bool tooLong)
    {
        tooLong = false;
        if (!reader.TryReadTo(out ReadOnlySpan<byte> raw, (byte)'\n', advancePastDelimiter: true))
        {
            line = default;
            tooLong = reader.Remaining > max;
            return false;
        }

        if (raw.Length > max)
        {
            line = default;
            tooLong = true;
            return false;
        }

        line = raw.Length > 0 && raw[^1] == (byte)'\r' ? raw[..^1] : raw;
        return true;
    }
}
