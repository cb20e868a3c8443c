using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// How a command orders against the other commands pipelined on its connection: commands of one class run
/// concurrently; a command whose class conflicts with those still running first waits for them.
/// </summary>
public enum RespCommandClass
{
    /// <summary>Touches no data and no connection state (PING, ECHO, COMMAND): never waits.</summary>
    Free,

    /// <summary>Reads keys: waits for this connection's writes still in flight (so it sees them).</summary>
    Read,

    /// <summary>Writes keys: waits for this connection's reads still in flight (so they do not see it).</summary>
    Write,

    /// <summary>Changes the connection (HELLO, AUTH) or spans the keyspace (SCAN, FLUSHDB): waits for everything.</summary>
    Barrier,
}

/// <summary>A command's code: the reply to <paramref name="args"/> (args[0] is the command name).</summary>
public delegate ValueTask<RespValue> RespHandler(RespSession session, IReadOnlyList<byte[]> args);

/// <summary>
/// One entry of the command table, with the metadata COMMAND INFO reports (as Redis's command table:
/// https://redis.io/docs/latest/commands/command/).
/// </summary>
/// <param name="Name">Lower-case name, e.g. <c>get</c>.</param>
/// <param name="Arity">Argument count including the name: n exact, -n at least n.</param>
/// <param name="Flags">Redis's flags: <c>readonly</c>, <c>write</c>, <c>fast</c>, <c>admin</c>, ...</param>
/// <param name="FirstKey">Position of the first key (0: none).</param>
/// <param name="LastKey">Position of the last key (-1: the last argument, -2 the one before).</param>
/// <param name="Step">Distance between keys.</param>
/// <param name="Class">Its pipelining class.</param>
/// <param name="Group">Redis's command group (<c>string</c>, <c>generic</c>, <c>connection</c>, <c>server</c>, <c>cluster</c>).</param>
/// <param name="Summary">One line for COMMAND DOCS.</param>
/// <param name="Handler">Its code.</param>
public sealed record RespCommand(
    string Name,
    int Arity,
    string[] Flags,
    int FirstKey,
    int LastKey,
    int Step,
    RespCommandClass Class,
    string Group,
    string Summary,
    RespHandler Handler)
{
    /// <summary>True for commands that change data (need the readwrite role).</summary>
    public bool IsWrite => Flags.Contains("write");

    /// <summary>True for admin-only commands.</summary>
    public bool IsAdmin => Flags.Contains("admin");

    /// <summary>True for commands an unauthenticated connection may run (AUTH, HELLO, QUIT).</summary>
    public bool NoAuth => Flags.Contains("no-auth");

    /// <summary>Whether <paramref name="argc"/> arguments (name included) satisfy <see cref="Arity"/>.</summary>
    public bool AcceptsArgCount(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;

    /// <summary>The key positions in a call with <paramref name="argc"/> arguments (empty when it has none).</summary>
    public IEnumerable<int> KeyPositions(int argc)
    {
        if (FirstKey <= 0)
        {
            yield break;
        }

        int last = LastKey >= 0 ? LastKey : argc + LastKey;
        for (int i = FirstKey; i <= last && i < argc; i += Step)
        {
            yield return i;
        }
    }
}
