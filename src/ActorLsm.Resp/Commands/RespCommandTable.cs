namespace ActorLsm.Resp.Commands;

/// <summary>The commands this front end serves, with Redis's arity, flags and key positions.</summary>
public static class RespCommandTable
{
    private const RespCommandClass F = RespCommandClass.Free;
    private const RespCommandClass R = RespCommandClass.Read;
    private const RespCommandClass W = RespCommandClass.Write;
    private const RespCommandClass B = RespCommandClass.Barrier;

    /// <summary>A fresh table keyed by lower-case name.</summary>
    public static IReadOnlyDictionary<string, RespCommand> Build()
    {
        RespCommand[] commands =
        [
            // Connection.
            new("ping", -1, ["fast"], 0, 0, 0, F, "connection", "Returns the server's liveliness response.", ConnectionCommands.Ping),
            new("echo", 2, ["fast"], 0, 0, 0, F, "connection", "Returns the given string.", ConnectionCommands.Echo),
            new("hello", -1, ["noscript", "loading", "stale", "fast", "no-auth"], 0, 0, 0, B, "connection", "Handshakes with the server; HELLO 3 switches to RESP3.", ConnectionCommands.Hello),
            new("auth", -2, ["noscript", "loading", "stale", "fast", "no-auth"], 0, 0, 0, B, "connection", "Authenticates the connection.", ConnectionCommands.Auth),
            new("select", 2, ["loading", "stale", "fast"], 0, 0, 0, F, "connection", "Changes the selected database (only 0 exists).", ConnectionCommands.Select),
            new("quit", -1, ["noscript", "loading", "stale", "fast", "no-auth"], 0, 0, 0, B, "connection", "Closes the connection.", ConnectionCommands.Quit),
            new("client", -2, ["noscript", "loading", "stale"], 0, 0, 0, B, "connection", "CLIENT SETNAME, GETNAME, SETINFO, ID, INFO, LIST.", ConnectionCommands.Client),
            new("readonly", 1, ["loading", "stale", "fast"], 0, 0, 0, F, "cluster", "Accepted for cluster clients (reads are served by leaders).", ConnectionCommands.Ok),
            new("readwrite", 1, ["loading", "stale", "fast"], 0, 0, 0, F, "cluster", "Accepted for cluster clients.", ConnectionCommands.Ok),

            // Server.
            new("command", -1, ["loading", "stale"], 0, 0, 0, F, "server", "COMMAND, COUNT, INFO, DOCS, LIST.", ServerCommands.Command),
            new("info", -1, ["loading", "stale"], 0, 0, 0, B, "server", "Returns information and statistics about the server.", ServerCommands.Info),
            new("config", -2, ["admin", "noscript", "loading", "stale"], 0, 0, 0, F, "server", "CONFIG GET of the settings clients read.", ServerCommands.Config),
            new("time", 1, ["loading", "stale", "fast"], 0, 0, 0, F, "server", "Returns the server time.", ServerCommands.Time),
            new("dbsize", 1, ["readonly", "fast"], 0, 0, 0, B, "server", "Returns the number of keys this node serves (a full scan).", KeyspaceCommands.DbSize),
            new("flushdb", -1, ["write", "admin"], 0, 0, 0, B, "server", "Deletes every key this node serves.", KeyspaceCommands.Flush),
            new("flushall", -1, ["write", "admin"], 0, 0, 0, B, "server", "Deletes every key this node serves.", KeyspaceCommands.Flush),

            // Cluster.
            new("cluster", -2, ["loading", "stale"], 0, 0, 0, F, "cluster", "CLUSTER SHARDS, SLOTS, NODES, KEYSLOT, MYID, INFO.", ClusterCommands.Cluster),

            // Strings.
            new("get", 2, ["readonly", "fast"], 1, 1, 1, R, "string", "Returns the string value of a key.", StringCommands.Get),
            new("set", -3, ["write", "denyoom"], 1, 1, 1, W, "string", "Sets the string value of a key (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL).", StringCommands.Set),
            new("setnx", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Sets the value of a key only when it does not exist.", StringCommands.SetNx),
            new("getset", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Sets a key and returns its old value.", StringCommands.GetSet),
            new("getdel", 2, ["write", "fast"], 1, 1, 1, W, "string", "Returns a key's value and deletes it.", StringCommands.GetDel),
            new("mget", -2, ["readonly", "fast"], 1, -1, 1, R, "string", "Returns the values of keys of one slot, read together.", StringCommands.MGet),
            new("mset", -3, ["write", "denyoom"], 1, -1, 2, W, "string", "Sets keys of one slot atomically.", StringCommands.MSet),
            new("msetnx", -3, ["write", "denyoom"], 1, -1, 2, W, "string", "Sets keys of one slot atomically when none exists.", StringCommands.MSetNx),
            new("del", -2, ["write"], 1, -1, 1, W, "generic", "Deletes keys of one slot atomically.", StringCommands.Del),
            new("unlink", -2, ["write", "fast"], 1, -1, 1, W, "generic", "Deletes keys of one slot atomically.", StringCommands.Del),
            new("exists", -2, ["readonly", "fast"], 1, -1, 1, R, "generic", "Counts the given keys that exist.", StringCommands.Exists),
            new("incr", 2, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Increments the integer value of a key by one.", StringCommands.Incr),
            new("decr", 2, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Decrements the integer value of a key by one.", StringCommands.Decr),
            new("incrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Increments the integer value of a key.", StringCommands.IncrByCommand),
            new("decrby", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Decrements the integer value of a key.", StringCommands.DecrByCommand),
            new("incrbyfloat", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Increments the floating point value of a key.", StringCommands.IncrByFloat),
            new("append", 3, ["write", "denyoom", "fast"], 1, 1, 1, W, "string", "Appends a string to a key's value.", StringCommands.Append),
            new("strlen", 2, ["readonly", "fast"], 1, 1, 1, R, "string", "Returns the length of a key's value.", StringCommands.Strlen),
            new("getrange", 4, ["readonly"], 1, 1, 1, R, "string", "Returns a substring of a key's value.", StringCommands.GetRange),
            new("substr", 4, ["readonly"], 1, 1, 1, R, "string", "Returns a substring of a key's value.", StringCommands.GetRange),
            new("setrange", 4, ["write", "denyoom"], 1, 1, 1, W, "string", "Overwrites part of a key's value at an offset.", StringCommands.SetRange),

            // Keyspace.
            new("scan", -2, ["readonly"], 0, 0, 0, B, "generic", "Iterates the keys this node serves (cursor, MATCH, COUNT, TYPE).", KeyspaceCommands.Scan),
            new("keys", 2, ["readonly"], 0, 0, 0, B, "generic", "Returns the keys this node serves that match a pattern.", KeyspaceCommands.Keys),
            new("type", 2, ["readonly", "fast"], 1, 1, 1, R, "generic", "Returns the type of a key (string or none).", KeyspaceCommands.Type),

            // Expiry: Commands/TtlCommands.cs, answering ERR TTL not supported yet until the engine stores expiries.
            new("setex", 4, ["write", "denyoom"], 1, 1, 1, W, "string", "Sets a key with an expiry in seconds.", TtlCommands.SetEx),
            new("psetex", 4, ["write", "denyoom"], 1, 1, 1, W, "string", "Sets a key with an expiry in milliseconds.", TtlCommands.SetEx),
            new("getex", -2, ["write", "fast"], 1, 1, 1, W, "string", "Returns a key's value and sets or removes its expiry.", TtlCommands.GetEx),
            new("expire", -3, ["write", "fast"], 1, 1, 1, W, "generic", "Sets a key's expiry in seconds.", TtlCommands.Expire),
            new("pexpire", -3, ["write", "fast"], 1, 1, 1, W, "generic", "Sets a key's expiry in milliseconds.", TtlCommands.Expire),
            new("expireat", -3, ["write", "fast"], 1, 1, 1, W, "generic", "Sets a key's expiry as a Unix time in seconds.", TtlCommands.Expire),
            new("pexpireat", -3, ["write", "fast"], 1, 1, 1, W, "generic", "Sets a key's expiry as a Unix time in milliseconds.", TtlCommands.Expire),
            new("ttl", 2, ["readonly", "fast"], 1, 1, 1, R, "generic", "Returns a key's time to live in seconds.", TtlCommands.Ttl),
            new("pttl", 2, ["readonly", "fast"], 1, 1, 1, R, "generic", "Returns a key's time to live in milliseconds.", TtlCommands.Ttl),
            new("persist", 2, ["write", "fast"], 1, 1, 1, W, "generic", "Removes a key's expiry.", TtlCommands.Persist),
        ];
        return commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }
}
