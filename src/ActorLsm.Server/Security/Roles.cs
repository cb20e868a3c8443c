using ActorLsm.Protocol;

namespace ActorLsm.Server.Security;

/// <summary>
/// What a user may do (<c>actorlsm.security.users[].role</c>): each role includes the ones before it,
/// as Redis ACL categories <c>@read</c>, <c>@write</c> and <c>@admin</c> would.
/// </summary>
public enum Role
{
    /// <summary><c>read</c>: reads, scans, status and the shard map.</summary>
    Read = 0,

    /// <summary><c>readwrite</c>: everything <see cref="Read"/> may, and puts, deletes and batches.</summary>
    ReadWrite = 1,

    /// <summary><c>admin</c>: everything, including leave, flush and configuration requests.</summary>
    Admin = 2,
}

/// <summary>What one request needs (<see cref="Roles.Required(Request.BodyOneofCase)"/>).</summary>
public enum Permission
{
    /// <summary>Reads data or state; any role.</summary>
    Read = 0,

    /// <summary>Changes data; <see cref="Role.ReadWrite"/> or <see cref="Role.Admin"/>.</summary>
    Write = 1,

    /// <summary>Changes the node or the cluster (leave, flush, config); <see cref="Role.Admin"/> only.</summary>
    Admin = 2,
}

/// <summary>The role words of the configuration and the permission each client request needs.</summary>
public static class Roles
{
    /// <summary>The configuration words, in <see cref="Role"/> order.</summary>
    public static IReadOnlyList<string> Words { get; } = ["read", "readwrite", "admin"];

    /// <summary>True when <paramref name="role"/> may do what <paramref name="permission"/> names.</summary>
    public static bool Allows(this Role role, Permission permission) => (int)role >= (int)permission;

    /// <summary>The configuration word of <paramref name="role"/>: <c>read</c>, <c>readwrite</c> or <c>admin</c>.</summary>
    public static string Name(this Role role) => Words[(int)role];

    /// <summary>Parses a configuration word (case-sensitive); false for anything else.</summary>
    public static bool TryParse(string? word, out Role role)
    {
        int index = word is null ? -1 : Words.ToList().IndexOf(word.Trim());
        role = index < 0 ? Role.Read : (Role)index;
        return index >= 0;
    }

    /// <summary>
    /// The permission a client-protocol request needs: get, scan, status, shard map and cluster status read;
    /// put, delete and batch write; leave is admin. An auth request needs nothing (see <see cref="Authenticator"/>).
    /// </summary>
    public static Permission Required(Request.BodyOneofCase body) => body switch
    {
        Request.BodyOneofCase.Put or Request.BodyOneofCase.Delete or Request.BodyOneofCase.Batch or Request.BodyOneofCase.Expire => Permission.Write,
        Request.BodyOneofCase.Leave => Permission.Admin,
        _ => Permission.Read,
    };
}
