using System.Net;
using ActorLsm.Resp;
using ActorLsm.Server.Security;

namespace ActorLsm.Server.Resp;

/// <summary>
/// RESP AUTH and HELLO ... AUTH against the node's users (<c>actorlsm.security.users</c>): the same
/// <see cref="Authenticator"/>, password hashes, roles and per-address rate limit as the client
/// protocol. A rate-limited attempt is answered like a wrong password (Redis has no other reply).
/// </summary>
internal sealed class RespUserAuthenticator : IRespAuthenticator
{
    private readonly Authenticator _authenticator;

    public RespUserAuthenticator(Authenticator authenticator) => _authenticator = authenticator;

    /// <inheritdoc/>
    public bool Required => _authenticator.Required;

    /// <inheritdoc/>
    public RespRole DefaultRole => RespRole.Admin;

    /// <inheritdoc/>
    public ValueTask<RespRole?> AuthenticateAsync(string remote, string user, string password, CancellationToken cancellationToken) =>
        new(Task.Run(() => Check(remote, user, password), cancellationToken)); // PBKDF2 takes tens of ms: off the socket thread

    private RespRole? Check(string remote, string user, string password)
    {
        AuthOutcome outcome = _authenticator.Authenticate(IPEndPoint.TryParse(remote, out IPEndPoint? endpoint) ? endpoint : null, user, password);
        RespRole? role = outcome is { Status: AuthStatus.Ok, User: { } found }
            ? found.Role switch
            {
                Role.Read => RespRole.Read,
                Role.ReadWrite => RespRole.ReadWrite,
                _ => RespRole.Admin,
            }
            : null;
        return role;
    }
}
