using ActorLsm.Jepsen.Tests.Net;

namespace ActorLsm.Jepsen.Tests.Harness;

/// <summary>
/// A fact that needs Linux network namespaces (root, iproute2, iptables). Where they cannot be made
/// the test is reported as skipped with the reason (xunit prints it, and `dotnet test` counts it under
/// Skipped), never as passed. With <see cref="RequiresVariable"/>, it also skips unless that
/// environment variable is set (long runs that a script starts).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    private string? _requiresVariable;

    public NetnsFactAttribute()
    {
        if (NetworkLab.Unavailable is { } reason)
        {
            Skip = "SKIPPED Jepsen-style harness: " + reason;
        }
    }

    /// <summary>An environment variable that must be set for the test to run; the skip reason names it.</summary>
    public string? RequiresVariable
    {
        get => _requiresVariable;
        set
        {
            _requiresVariable = value;
            if (Skip is null && value is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(value)))
            {
                Skip = $"long run: set {value} to run it (deploy/jepsen-soak.sh does)";
            }
        }
    }
}
