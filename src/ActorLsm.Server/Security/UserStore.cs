using ActorLsm.Protocol.Security;

namespace ActorLsm.Server.Security;

/// <summary>One configured user: a name, its password hash and its role.</summary>
/// <param name="Name">The user name clients send (case-sensitive).</param>
/// <param name="PasswordHash">The parsed <c>password-hash</c> (<see cref="Protocol.Security.PasswordHash"/>).</param>
/// <param name="Role">What the user may do.</param>
public sealed record SecurityUser(string Name, ParsedPasswordHash PasswordHash, Role Role);

/// <summary>
/// The users of a node (<c>actorlsm.security.users</c>) and the password check. Immutable and thread-safe.
/// With no users, authentication is off and every connection acts as <see cref="Role.Admin"/> (the
/// protected mode then keeps the listeners on loopback addresses: <see cref="ProtectedMode"/>).
/// </summary>
public sealed class UserStore
{
    private readonly Dictionary<string, SecurityUser> _users;

    // Checked when the user is unknown, so that a wrong name costs as much time as a wrong password.
    private readonly ParsedPasswordHash _decoy;

    /// <summary>A store of <paramref name="users"/>. Throws <see cref="ArgumentException"/> on a duplicate or empty name.</summary>
    public UserStore(IEnumerable<SecurityUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        _users = new Dictionary<string, SecurityUser>(StringComparer.Ordinal);
        foreach (SecurityUser user in users)
        {
            if (string.IsNullOrWhiteSpace(user.Name))
            {
                throw new ArgumentException("a user name must not be empty", nameof(users));
            }

            if (!_users.TryAdd(user.Name, user))
            {
                throw new ArgumentException($"the user {user.Name} is listed twice", nameof(users));
            }
        }

        _decoy = _users.Count > 0 ? CreateDecoy(_users.Values.Max(u => u.PasswordHash.Iterations)) : default;
    }

    /// <summary>A store without users: authentication off.</summary>
    public static UserStore Empty { get; } = new([]);

    /// <summary>True when at least one user is configured, so connections must authenticate.</summary>
    public bool AuthenticationEnabled => _users.Count > 0;

    /// <summary>The configured users.</summary>
    public IReadOnlyCollection<SecurityUser> Users => _users.Values;

    /// <summary>
    /// The user when <paramref name="name"/> exists and <paramref name="password"/> is its password, else null
    /// (the caller cannot tell an unknown name from a wrong password, and both take the time of one PBKDF2 check).
    /// </summary>
    public SecurityUser? Check(string name, string password)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        if (_users.TryGetValue(name, out SecurityUser? user))
        {
            return PasswordHash.Verify(password, user.PasswordHash) ? user : null;
        }

        if (_users.Count > 0)
        {
            _ = PasswordHash.Verify(password, _decoy);
        }

        return null;
    }

    private static ParsedPasswordHash CreateDecoy(int iterations)
    {
        bool parsed = PasswordHash.TryParse(PasswordHash.Create(Guid.NewGuid().ToString("N"), iterations), out ParsedPasswordHash decoy, out _);
        return parsed ? decoy : throw new InvalidOperationException("a freshly made password hash did not parse");
    }
}
