namespace ActorLsm.Resp;

/// <summary>What an authenticated RESP connection may do.</summary>
public enum RespRole
{
    /// <summary>Reads only.</summary>
    Read,

    /// <summary>Reads and writes.</summary>
    ReadWrite,

    /// <summary>Everything, including FLUSHDB, FLUSHALL and CONFIG.</summary>
    Admin,
}

/// <summary>
/// The seam for RESP AUTH and HELLO ... AUTH: the node's user store (issue 14's security part) implements
/// it. <see cref="AllowAllAuthenticator"/> is the default when no users are configured.
/// </summary>
public interface IRespAuthenticator
{
    /// <summary>
    /// True when connections must authenticate before any other command (else they start as user
    /// <c>default</c> with <see cref="DefaultRole"/>, and AUTH always succeeds).
    /// </summary>
    bool Required { get; }

    /// <summary>The role of an unauthenticated connection when <see cref="Required"/> is false.</summary>
    RespRole DefaultRole { get; }

    /// <summary>
    /// The role of <paramref name="user"/> (<c>default</c> for the one-argument AUTH) when
    /// <paramref name="password"/> is right; null otherwise (the client gets WRONGPASS). Implementations log
    /// and rate-limit failures per <paramref name="remote"/> (the client's <c>host:port</c>).
    /// </summary>
    ValueTask<RespRole?> AuthenticateAsync(string remote, string user, string password, CancellationToken cancellationToken);
}

/// <summary>No users configured: every connection is <c>default</c> with the admin role; AUTH always succeeds.</summary>
public sealed class AllowAllAuthenticator : IRespAuthenticator
{
    /// <summary>The one instance.</summary>
    public static AllowAllAuthenticator Instance { get; } = new();

    /// <inheritdoc/>
    public bool Required => false;

    /// <inheritdoc/>
    public RespRole DefaultRole => RespRole.Admin;

    /// <inheritdoc/>
    public ValueTask<RespRole?> AuthenticateAsync(string remote, string user, string password, CancellationToken cancellationToken) => ValueTask.FromResult<RespRole?>(RespRole.Admin);
}
