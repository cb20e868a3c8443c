using System.Globalization;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>PING, ECHO, HELLO, AUTH, SELECT, QUIT, READONLY, READWRITE and CLIENT.</summary>
internal static class ConnectionCommands
{
    public static ValueTask<RespValue> Ping(RespSession s, IReadOnlyList<byte[]> a) => a.Count switch
    {
        1 => ValueTask.FromResult(RespValue.Simple("PONG")),
        2 => ValueTask.FromResult(RespValue.Bulk(a[1])),
        _ => ValueTask.FromResult(Errors.WrongArgs("ping")),
    };

    public static ValueTask<RespValue> Echo(RespSession s, IReadOnlyList<byte[]> a) => ValueTask.FromResult(RespValue.Bulk(a[1]));

    public static ValueTask<RespValue> Quit(RespSession s, IReadOnlyList<byte[]> a)
    {
        s.Closing = true;
        return ValueTask.FromResult(RespValue.Ok);
    }

    public static ValueTask<RespValue> Ok(RespSession s, IReadOnlyList<byte[]> a) => ValueTask.FromResult(RespValue.Ok);

    public static ValueTask<RespValue> Select(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (!Args.TryLong(a[1], out long db))
        {
            return ValueTask.FromResult(Errors.NotInteger);
        }

        if (db == 0)
        {
            return ValueTask.FromResult(RespValue.Ok);
        }

        return ValueTask.FromResult(RespValue.Error(s.Service.Backend.ClusterEnabled ? "ERR SELECT is not allowed in cluster mode" : "ERR DB index is out of range"));
    }

    public static async ValueTask<RespValue> Auth(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (a.Count > 3)
        {
            return Errors.Syntax;
        }

        string user = a.Count == 3 ? Args.Text(a[1]) : "default";
        string password = Args.Text(a[^1]);
        RespRole? role = await s.Service.Authenticator.AuthenticateAsync(s.Remote, user, password, CancellationToken.None).ConfigureAwait(false);
        if (role is null)
        {
            return Errors.WrongPass;
        }

        s.User = user;
        s.Role = role;
        return RespValue.Ok;
    }

    public static async ValueTask<RespValue> Hello(RespSession s, IReadOnlyList<byte[]> a)
    {
        int protocol = s.Protocol;
        string? user = null, password = null, name = null;
        if (a.Count > 1)
        {
            if (!Args.TryLong(a[1], out long version))
            {
                return RespValue.Error("ERR Protocol version is not an integer or out of range");
            }

            if (version is < 2 or > 3)
            {
                return RespValue.Error("NOPROTO unsupported protocol version");
            }

            protocol = (int)version;
            for (int i = 2; i < a.Count; i++)
            {
                if (Args.Is(a[i], "AUTH") && i + 2 < a.Count)
                {
                    user = Args.Text(a[i + 1]);
                    password = Args.Text(a[i + 2]);
                    i += 2;
                }
                else if (Args.Is(a[i], "SETNAME") && i + 1 < a.Count)
                {
                    name = Args.Text(a[++i]);
                    if (!ValidName(name))
                    {
                        return RespValue.Error("ERR Client names cannot contain spaces, newlines or special characters.");
                    }
                }
                else
                {
                    return RespValue.Error($"ERR Syntax error in HELLO option '{Args.Text(a[i])}'");
                }
            }
        }

        if (user is not null)
        {
            RespRole? role = await s.Service.Authenticator.AuthenticateAsync(s.Remote, user, password!, CancellationToken.None).ConfigureAwait(false);
            if (role is null)
            {
                return Errors.WrongPass;
            }

            s.User = user;
            s.Role = role;
        }
        else if (s.Role is null)
        {
            return RespValue.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        }

        s.Protocol = protocol;
        if (name is not null)
        {
            s.Name = name;
        }

        return RespValue.Map(
            RespValue.Bulk("server"), RespValue.Bulk("redis"),
            RespValue.Bulk("version"), RespValue.Bulk(s.Service.Options.RedisVersion),
            RespValue.Bulk("proto"), RespValue.Int(protocol),
            RespValue.Bulk("id"), RespValue.Int(s.Id),
            RespValue.Bulk("mode"), RespValue.Bulk(s.Service.Backend.ClusterEnabled ? "cluster" : "standalone"),
            RespValue.Bulk("role"), RespValue.Bulk("master"),
            RespValue.Bulk("modules"), RespValue.EmptyArray);
    }

    private static bool ValidName(string name) => name.All(c => c > ' ' && c <= '~');

    public static ValueTask<RespValue> Client(RespSession s, IReadOnlyList<byte[]> a)
    {
        string sub = Args.Text(a[1]).ToLowerInvariant();
        RespValue reply = sub switch
        {
            "setname" when a.Count == 3 => SetName(s, Args.Text(a[2])),
            "getname" when a.Count == 2 => s.Name.Length == 0 ? RespValue.Null : RespValue.Bulk(s.Name),
            "id" when a.Count == 2 => RespValue.Int(s.Id),
            "setinfo" when a.Count == 4 => SetInfo(s, Args.Text(a[2]), Args.Text(a[3])),
            "info" when a.Count == 2 => RespValue.Verbatim(Describe(s) + "\n"),
            "list" => RespValue.Verbatim(string.Concat(s.Service.Clients.Select(c => Describe(c) + "\n"))),
            "setname" or "getname" or "id" or "setinfo" or "info" => Errors.WrongArgs("client|" + sub),
            _ => Errors.UnknownSubcommand(Args.Text(a[1]), "client"),
        };
        return ValueTask.FromResult(reply);
    }

    private static RespValue SetName(RespSession s, string name)
    {
        if (!ValidName(name) && name.Length > 0)
        {
            return RespValue.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        }

        s.Name = name;
        return RespValue.Ok;
    }

    private static RespValue SetInfo(RespSession s, string attribute, string value)
    {
        switch (attribute.ToLowerInvariant())
        {
            case "lib-name":
                s.LibraryName = value;
                return RespValue.Ok;
            case "lib-ver":
                s.LibraryVersion = value;
                return RespValue.Ok;
            default:
                return RespValue.Error($"ERR Unrecognized option '{attribute}'");
        }
    }

    private static string Describe(RespSession c) =>
        string.Create(CultureInfo.InvariantCulture, $"id={c.Id} addr={c.Remote} name={c.Name} db=0 user={c.User} resp={c.Protocol} lib-name={c.LibraryName} lib-ver={c.LibraryVersion}");
}
