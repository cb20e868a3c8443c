using System.Text;

namespace ActorLsm.Resp.Protocol;

/// <summary>The kinds of reply a command produces; <see cref="RespWriter"/> encodes each in RESP2 or RESP3.</summary>
public enum RespKind : byte
{
    /// <summary><c>+text</c>.</summary>
    SimpleString,

    /// <summary><c>-PREFIX text</c>.</summary>
    Error,

    /// <summary><c>:n</c>.</summary>
    Integer,

    /// <summary><c>$len\r\nbytes</c>.</summary>
    BulkString,

    /// <summary>A missing value: <c>$-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    Null,

    /// <summary>A missing array: <c>*-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    NullArray,

    /// <summary><c>*n</c> followed by n values.</summary>
    Array,

    /// <summary>Pairs: <c>%n</c> in RESP3, a flat array of 2n values in RESP2.</summary>
    Map,

    /// <summary>Unordered distinct values: <c>~n</c> in RESP3, an array in RESP2.</summary>
    Set,

    /// <summary>A double: <c>,1.5</c> in RESP3, a bulk string in RESP2.</summary>
    Double,

    /// <summary>Text for people (INFO, CLUSTER NODES): <c>=len\r\ntxt:...</c> in RESP3, a bulk string in RESP2.</summary>
    Verbatim,
}

/// <summary>
/// One reply, built by a command and encoded later by <see cref="RespWriter"/> in the protocol version
/// the connection had when the command started (RESP2 until <c>HELLO 3</c>). Immutable; aggregates
/// hold their elements in an array (a map holds keys and values interleaved).
/// </summary>
public readonly struct RespValue
{
    private readonly long _integer;
    private readonly object? _payload;

    private RespValue(RespKind kind, long integer, object? payload)
    {
        Kind = kind;
        _integer = integer;
        _payload = payload;
    }

    /// <summary>The reply's kind.</summary>
    public RespKind Kind { get; }

    /// <summary>The value of an <see cref="RespKind.Integer"/>.</summary>
    public long Integer => _integer;

    /// <summary>The bytes of a bulk string, simple string, error, verbatim text or double's text.</summary>
    public byte[] Bytes => _payload as byte[] ?? [];

    /// <summary>The elements of an array, set or map (map: key, value, key, value, ...).</summary>
    public RespValue[] Items => _payload as RespValue[] ?? [];

    /// <summary><c>+OK</c>.</summary>
    public static RespValue Ok { get; } = Simple("OK");

    /// <summary>The null bulk string (RESP3 null).</summary>
    public static RespValue Null { get; } = new(RespKind.Null, 0, null);

    /// <summary>The null array (RESP3 null).</summary>
    public static RespValue NullArray { get; } = new(RespKind.NullArray, 0, null);

    /// <summary>The empty array.</summary>
    public static RespValue EmptyArray { get; } = new(RespKind.Array, 0, System.Array.Empty<RespValue>());

    /// <summary>A simple string; REQUIRES: no CR or LF in <paramref name="text"/>.</summary>
    public static RespValue Simple(string text) => new(RespKind.SimpleString, 0, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// An error reply; <paramref name="text"/> starts with its code (<c>ERR</c>, <c>WRONGTYPE</c>, <c>MOVED</c>, ...)
    /// exactly as Redis words it, since clients parse the code. CR and LF are replaced by spaces.
    /// </summary>
    public static RespValue Error(string text) =>
        new(RespKind.Error, 0, Encoding.UTF8.GetBytes(text.Replace('\r', ' ').Replace('\n', ' ')));

    /// <summary>An integer.</summary>
    public static RespValue Int(long value) => new(RespKind.Integer, value, null);

    /// <summary>A bulk string of <paramref name="value"/>, or null when it is null.</summary>
    public static RespValue Bulk(byte[]? value) => value is null ? Null : new(RespKind.BulkString, 0, value);

    /// <summary>A bulk string of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static RespValue Bulk(string text) => new(RespKind.BulkString, 0, Encoding.UTF8.GetBytes(text));

    /// <summary>An array of <paramref name="items"/>.</summary>
    public static RespValue Array(params RespValue[] items) => new(RespKind.Array, 0, items);

    /// <summary>A set of <paramref name="items"/>.</summary>
    public static RespValue Set(params RespValue[] items) => new(RespKind.Set, 0, items);

    /// <summary>A map; <paramref name="keysAndValues"/> alternates keys and values. REQUIRES: even length.</summary>
    public static RespValue Map(params RespValue[] keysAndValues) => new(RespKind.Map, 0, keysAndValues);

    /// <summary>A double given by its shortest round-trip text (<c>3.5</c>, <c>inf</c>).</summary>
    public static RespValue Double(string text) => new(RespKind.Double, 0, Encoding.ASCII.GetBytes(text));

    /// <summary>Verbatim text (<c>txt</c>).</summary>
    public static RespValue Verbatim(string text) => new(RespKind.Verbatim, 0, Encoding.UTF8.GetBytes(text));

    /// <summary>True for an error reply.</summary>
    public bool IsError => Kind == RespKind.Error;

    /// <summary>The text of a string-like reply (for tests and logs).</summary>
    public override string ToString() => Kind switch
    {
        RespKind.Integer => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespKind.Null or RespKind.NullArray => "(nil)",
        RespKind.Array or RespKind.Set or RespKind.Map => "[" + string.Join(", ", Items.Select(i => i.ToString())) + "]",
        _ => Encoding.UTF8.GetString(Bytes),
    };
}
