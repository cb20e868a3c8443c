using System.Runtime.CompilerServices;
using ActorLsm.Jepsen.Tests.Net;

namespace ActorLsm.Jepsen.Tests.Harness;

/// <summary>
/// A fact that needs Linux network namespaces (root, iproute2, iptables). Where they cannot be made
/// the test is reported as skipped, never as passed, and its display name carries the reason, because
/// `dotnet test`'s default console output prints a skipped test's name but not xunit's skip reason:
/// CI's log shows <c>Skipped RandomFaultSchedule_... SKIPPED: needs root ...</c>. With <see cref="RequiresVariable"/>, it also skips unless that
/// environment variable is set (long runs that a script starts).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    private readonly string _test;
    private string? _requiresVariable;

    /// <param name="test">The test method's name (filled in by the compiler).</param>
    public NetnsFactAttribute([CallerMemberName] string test = "")
    {
        _test = test;
        if (NetworkLab.Unavailable is { } reason)
        {
            SkipWith(reason);
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
                SkipWith($"long run: set {value} to run it (deploy/jepsen-soak.sh does)");
            }
        }
    }

    private void SkipWith(string reason)
    {
        Skip = reason;
        DisplayName = $"JepsenTests.{_test} SKIPPED: {reason}";
    }
}
