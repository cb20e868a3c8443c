using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>Redis's error replies, word for word (checked against redis-server 7.0 with redis-cli).</summary>
public static class Errors
{
    /// <summary><c>ERR syntax error</c>.</summary>
    public static RespValue Syntax { get; } = RespValue.Error("ERR syntax error");

    /// <summary><c>ERR value is not an integer or out of range</c>.</summary>
    public static RespValue NotInteger { get; } = RespValue.Error("ERR value is not an integer or out of range");

    /// <summary><c>ERR value is not a valid float</c>.</summary>
    public static RespValue NotFloat { get; } = RespValue.Error("ERR value is not a valid float");

    /// <summary><c>ERR increment or decrement would overflow</c>.</summary>
    public static RespValue Overflow { get; } = RespValue.Error("ERR increment or decrement would overflow");

    /// <summary><c>ERR increment would produce NaN or Infinity</c>.</summary>
    public static RespValue NaN { get; } = RespValue.Error("ERR increment would produce NaN or Infinity");

    /// <summary><c>ERR offset is out of range</c>.</summary>
    public static RespValue OffsetRange { get; } = RespValue.Error("ERR offset is out of range");

    /// <summary><c>ERR string exceeds maximum allowed size (proto-max-bulk-len)</c>.</summary>
    public static RespValue TooBig { get; } = RespValue.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    /// <summary><c>ERR invalid cursor</c>.</summary>
    public static RespValue InvalidCursor { get; } = RespValue.Error("ERR invalid cursor");

    /// <summary><c>WRONGTYPE Operation against a key holding the wrong kind of value</c> (every ActorLsm value is a string).</summary>
    public static RespValue WrongType { get; } = RespValue.Error("WRONGTYPE Operation against a key holding the wrong kind of value");

    /// <summary><c>WRONGPASS invalid username-password pair or user is disabled.</c>.</summary>
    public static RespValue WrongPass { get; } = RespValue.Error("WRONGPASS invalid username-password pair or user is disabled.");

    /// <summary>The TTL seam is not wired: <c>ERR TTL not supported yet</c>.</summary>
    public static RespValue TtlNotSupported { get; } = RespValue.Error("ERR TTL not supported yet");

    /// <summary><c>ERR wrong number of arguments for 'get' command</c>.</summary>
    public static RespValue WrongArgs(string command) => RespValue.Error($"ERR wrong number of arguments for '{command}' command");

    /// <summary><c>ERR invalid expire time in 'set' command</c>.</summary>
    public static RespValue InvalidExpire(string command) => RespValue.Error($"ERR invalid expire time in '{command}' command");

    /// <summary><c>ERR unknown subcommand 'x'. Try CLIENT HELP.</c>.</summary>
    public static RespValue UnknownSubcommand(string sub, string command) =>
        RespValue.Error($"ERR unknown subcommand '{sub}'. Try {command.ToUpperInvariant()} HELP.");
}
