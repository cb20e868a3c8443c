using System.Net;

namespace ActorLsm.Server.Security;

/// <summary>
/// Safe defaults in the spirit of Redis's protected mode: a listener may bind a non-loopback address only when
/// users are configured (so strangers must authenticate), unless <c>actorlsm.security.protected-mode</c> is off.
/// </summary>
public static class ProtectedMode
{
    /// <summary>
    /// Null when a listener on <paramref name="host"/> may start; otherwise the reason it may not, one line
    /// naming the remedies. <paramref name="host"/> is an IP literal or <c>localhost</c>; any other name counts as
    /// non-loopback.
    /// </summary>
    public static string? Refusal(string host, bool usersConfigured, bool protectedMode)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!protectedMode || usersConfigured || IsLoopback(host))
        {
            return null;
        }

        return $"protected mode: refusing to listen on {host} (not a loopback address) with no users configured; "
            + "add users to actorlsm.security.users (hash passwords with `actorlsm hash-password`), bind 127.0.0.1, "
            + "or set actorlsm.security.protected-mode = off";
    }

    /// <summary>True for <c>localhost</c> and loopback IP literals (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string trimmed = host.Trim().Trim('[', ']');
        return string.Equals(trimmed, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(trimmed, out IPAddress? address) && IPAddress.IsLoopback(address));
    }
}
