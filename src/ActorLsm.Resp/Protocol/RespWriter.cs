using System.Buffers;
using System.Buffers.Text;

namespace ActorLsm.Resp.Protocol;

/// <summary>
/// Encodes <see cref="RespValue"/>s into an <see cref="IBufferWriter{T}"/> (a connection's PipeWriter), in
/// RESP2 or RESP3 (https://redis.io/docs/latest/develop/reference/protocol-spec/). RESP3 types a RESP2
/// client cannot read are written as their RESP2 equivalents: null as <c>$-1</c>/<c>*-1</c>, a map as a
/// flat array, a set as an array, a double and verbatim text as bulk strings.
/// </summary>
public static class RespWriter
{
    /// <summary>Writes <paramref name="value"/> in protocol <paramref name="protocol"/> (2 or 3).</summary>
    public static void Write(IBufferWriter<byte> output, in RespValue value, int protocol)
    {
        ArgumentNullException.ThrowIfNull(output);
        bool resp3 = protocol >= 3;
        switch (value.Kind)
        {
            case RespKind.SimpleString:
                Line(output, (byte)'+', value.Bytes);
                break;
            case RespKind.Error:
                Line(output, (byte)'-', value.Bytes);
                break;
            case RespKind.Integer:
                Header(output, (byte)':', value.Integer);
                break;
            case RespKind.BulkString:
                Bulk(output, (byte)'$', value.Bytes, null);
                break;
            case RespKind.Null:
                Raw(output, resp3 ? "_\r\n"u8 : "$-1\r\n"u8);
                break;
            case RespKind.NullArray:
                Raw(output, resp3 ? "_\r\n"u8 : "*-1\r\n"u8);
                break;
            case RespKind.Array:
                Aggregate(output, (byte)'*', value.Items, value.Items.Length, protocol);
                break;
            case RespKind.Set:
                Aggregate(output, resp3 ? (byte)'~' : (byte)'*', value.Items, value.Items.Length, protocol);
                break;
            case RespKind.Map:
                if (resp3)
                {
                    Aggregate(output, (byte)'%', value.Items, value.Items.Length / 2, protocol);
                }
                else
                {
                    Aggregate(output, (byte)'*', value.Items, value.Items.Length, protocol);
                }

                break;
            case RespKind.Double:
                if (resp3)
                {
                    Line(output, (byte)',', value.Bytes);
                }
                else
                {
                    Bulk(output, (byte)'$', value.Bytes, null);
                }

                break;
            case RespKind.Verbatim:
                if (resp3)
                {
                    Bulk(output, (byte)'=', value.Bytes, "txt:"u8.ToArray());
                }
                else
                {
                    Bulk(output, (byte)'$', value.Bytes, null);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown reply kind");
        }
    }

    private static void Aggregate(IBufferWriter<byte> output, byte prefix, RespValue[] items, int count, int protocol)
    {
        Header(output, prefix, count);
        foreach (RespValue item in items)
        {
            Write(output, item, protocol);
        }
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    private static void Line(IBufferWriter<byte> output, byte prefix, byte[] text)
    {
        Span<byte> span = output.GetSpan(text.Length + 3);
        span[0] = prefix;
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        output.Advance(text.Length + 3);
    }

    private static void Header(IBufferWriter<byte> output, byte prefix, long number)
    {
        Span<byte> span = output.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(number, span[1..], out int written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        output.Advance(written + 3);
    }

    private static void Bulk(IBufferWriter<byte> output, byte prefix, byte[] data, byte[]? format)
    {
        int length = data.Length + (format?.Length ?? 0);
        Header(output, prefix, length);
        if (format is not null)
        {
            Raw(output, format);
        }

        // Large values are copied in pieces the writer can hold.
        ReadOnlySpan<byte> rest = data;
        while (rest.Length > 0)
        {
            Span<byte> span = output.GetSpan(Math.Min(rest.Length, 64 * 1024));
            int n = Math.Min(span.Length, rest.Length);
            rest[..n].CopyTo(span);
            output.Advance(n);
            rest = rest[n..];
        }

        Raw(output, "\r\n"u8);
    }
}
