using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>A supervisor's restart bookkeeping for one child. Owned by the supervisor's thread.</summary>
internal sealed class ChildRestartStats
{
    private TimeSpan? _windowStart;

    /// <summary>Restarts counted in the current window, including the one just granted.</summary>
    public int RestartCount { get; private set; }

    /// <summary>Counts one more restart and says whether the strategy still allows it.</summary>
    // REQUIRES: called on the supervisor's thread; now is monotonic (IClock.Elapsed).
    public bool RequestRestartPermission(TimeSpan now, int maxNrOfRetries, TimeSpan withinTimeRange)
    {
        var hasWindow = withinTimeRange > TimeSpan.Zero && withinTimeRange != Timeout.InfiniteTimeSpan;
        if (hasWindow && (_windowStart is null || now - _windowStart.Value > withinTimeRange))
        {
            _windowStart = now;
            RestartCount = 0;
        }

        RestartCount++;
        AssertInvariants();
        return maxNrOfRetries < 0 || RestartCount <= maxNrOfRetries;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(RestartCount >= 0, "restart count is never negative");
    }
}
