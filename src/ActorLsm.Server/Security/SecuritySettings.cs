namespace ActorLsm.Server.Security;

/// <summary>
/// Authentication, protected mode and TLS of a node (hocon: <c>actorlsm.security.*</c> and <c>actorlsm.tls.*</c>),
/// bound by <c>ServerConfigBinder</c>.
/// </summary>
public sealed record SecuritySettings
{
    /// <summary>The configured users; empty: authentication off.</summary>
    public UserStore Users { get; init; } = UserStore.Empty;

    /// <summary>Back-off of failed authentications per remote address.</summary>
    public AuthRateLimitOptions RateLimit { get; init; } = new();

    /// <summary>Refuse non-loopback listeners without users (<see cref="ProtectedMode"/>). Default on.</summary>
    public bool ProtectedMode { get; init; } = true;

    /// <summary>TLS of the listeners and of Akka.Remote.</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Off;

    /// <summary>No users, protected mode on, no TLS: the defaults.</summary>
    public static SecuritySettings Default { get; } = new();
}
