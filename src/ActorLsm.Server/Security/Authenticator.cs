using System.Net;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Security;

/// <summary>The result of one <see cref="Authenticator.Authenticate"/> call.</summary>
public enum AuthStatus
{
    /// <summary>The name and password match a user (or authentication is off).</summary>
    Ok,

    /// <summary>Unknown user or wrong password (not told apart, as Redis's WRONGPASS).</summary>
    WrongPassword,

    /// <summary>Too many recent failures from the address; the password was not checked.</summary>
    RateLimited,
}

/// <summary>What <see cref="Authenticator.Authenticate"/> decided.</summary>
/// <param name="Status">Accepted, refused, or not checked.</param>
/// <param name="User">The authenticated user when <see cref="AuthStatus.Ok"/>; null otherwise.</param>
/// <param name="RetryAfter">With <see cref="AuthStatus.RateLimited"/>: how long the address must wait.</param>
public readonly record struct AuthOutcome(AuthStatus Status, SecurityUser? User, TimeSpan RetryAfter);

/// <summary>
/// The check every listener runs for an authentication request (client protocol AuthRequest, RESP AUTH and
/// HELLO AUTH): rate limit by remote address (<see cref="AuthRateLimiter"/>), then the password
/// (<see cref="UserStore"/>); each failure is logged at warning level with the user name and the address,
/// never the password. Thread-safe; one per node, shared by its listeners.
/// </summary>
public sealed class Authenticator
{
    private readonly ILogger _logger;

    /// <summary>An authenticator over <paramref name="users"/> and <paramref name="limiter"/>.</summary>
    public Authenticator(UserStore users, AuthRateLimiter limiter, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(logger);
        Users = users;
        Limiter = limiter;
        _logger = logger;
    }

    /// <summary>The configured users.</summary>
    public UserStore Users { get; }

    /// <summary>The failure rate limiter.</summary>
    public AuthRateLimiter Limiter { get; }

    /// <summary>True when connections must authenticate before anything else (users are configured).</summary>
    public bool Required => Users.AuthenticationEnabled;

    /// <summary>
    /// The role of a connection that has not authenticated: <see cref="Role.Admin"/> when authentication is off,
    /// null when it must authenticate first.
    /// </summary>
    public Role? UnauthenticatedRole => Required ? null : Role.Admin;

    /// <summary>
    /// Checks <paramref name="user"/> and <paramref name="password"/> for a connection from <paramref name="remote"/>.
    /// With authentication off every attempt succeeds (as user <paramref name="user"/>, role admin). Costs one
    /// PBKDF2 check (tens of milliseconds) unless rate-limited.
    /// </summary>
    public AuthOutcome Authenticate(EndPoint? remote, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        if (!Required)
        {
            return new AuthOutcome(AuthStatus.Ok, new SecurityUser(user, default, Role.Admin), TimeSpan.Zero);
        }

        IPAddress address = AddressOf(remote);
        TimeSpan wait = Limiter.RetryAfter(address);
        if (wait > TimeSpan.Zero)
        {
            _logger.LogWarning("authentication of user {User} from {Remote} refused unchecked: too many failures from this address, retry in {RetryAfterMs} ms", user, remote, (long)Math.Ceiling(wait.TotalMilliseconds));
            return new AuthOutcome(AuthStatus.RateLimited, null, wait);
        }

        SecurityUser? found = Users.Check(user, password);
        if (found is null)
        {
            (int failures, TimeSpan next) = Limiter.RecordFailure(address);
            _logger.LogWarning("authentication failed for user {User} from {Remote} ({Failures} consecutive failures from this address; next attempt allowed in {WaitMs} ms)", user, remote, failures, (long)next.TotalMilliseconds);
            return new AuthOutcome(AuthStatus.WrongPassword, null, next);
        }

        Limiter.RecordSuccess(address);
        _logger.LogInformation("user {User} ({Role}) authenticated from {Remote}", found.Name, found.Role.Name(), remote);
        return new AuthOutcome(AuthStatus.Ok, found, TimeSpan.Zero);
    }

    /// <summary>The rate limiter's key for <paramref name="remote"/>: its IP (IPv4-mapped IPv6 as IPv4), or <see cref="IPAddress.None"/>.</summary>
    public static IPAddress AddressOf(EndPoint? remote) => remote switch
    {
        IPEndPoint { Address: { IsIPv4MappedToIPv6: true } mapped } => mapped.MapToIPv4(),
        IPEndPoint ip => ip.Address,
        _ => IPAddress.None,
    };
}
