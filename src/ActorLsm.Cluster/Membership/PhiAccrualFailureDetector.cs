using System.Diagnostics;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>
/// The phi-accrual failure detector of Hayashibara et al. ("The φ Accrual Failure Detector", 2004), in
/// the form Akka uses: heartbeat inter-arrival times are kept in a window of
/// <see cref="FailureDetectorSettings.MaxSampleSize"/>; phi = -log10(P(a heartbeat arrives later than
/// now)), with the normal distribution's tail approximated by a logistic function, the mean shifted by
/// the acceptable pause and the deviation floored at the minimum. The window starts with two samples
/// around the first-heartbeat estimate (mean = estimate, deviation = estimate / 4). Not thread-safe:
/// one instance per monitored member, used from one actor.
/// </summary>
internal sealed class PhiAccrualFailureDetector
{
    private readonly IClock _clock;
    private readonly FailureDetectorSettings _settings;
    private readonly Queue<double> _intervals = new();
    private double _sum;
    private double _squaredSum;
    private TimeSpan? _lastHeartbeat;

    /// <summary>A detector reading time from <paramref name="clock"/>; <paramref name="firstHeartbeatEstimate"/> is the expected interval (the heartbeat interval).</summary>
    public PhiAccrualFailureDetector(IClock clock, FailureDetectorSettings settings, TimeSpan firstHeartbeatEstimate)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstHeartbeatEstimate, TimeSpan.Zero);
        _clock = clock;
        _settings = settings;
        double mean = firstHeartbeatEstimate.TotalMilliseconds;
        double deviation = mean / 4;
        Add(mean - deviation);
        Add(mean + deviation);
    }

    /// <summary>True once at least one heartbeat was recorded.</summary>
    public bool IsMonitoring => _lastHeartbeat is not null;

    /// <summary>The current suspicion level (0 before the first heartbeat; grows with silence).</summary>
    public double Phi
    {
        get
        {
            if (_lastHeartbeat is not { } last)
            {
                return 0.0;
            }

            double sinceLast = (_clock.Elapsed - last).TotalMilliseconds;
            double mean = (_sum / _intervals.Count) + _settings.AcceptableHeartbeatPause.TotalMilliseconds;
            double variance = Math.Max(0.0, (_squaredSum / _intervals.Count) - ((_sum / _intervals.Count) * (_sum / _intervals.Count)));
            double deviation = Math.Max(Math.Sqrt(variance), _settings.MinStdDeviation.TotalMilliseconds);
            return PhiOf(sinceLast, mean, deviation);
        }
    }

    /// <summary>True while <see cref="Phi"/> is below the threshold (and before any heartbeat).</summary>
    public bool IsAvailable => Phi < _settings.Threshold;

    /// <summary>Records a heartbeat arriving now.</summary>
    public void Heartbeat()
    {
        TimeSpan now = _clock.Elapsed;
        if (_lastHeartbeat is { } last)
        {
            double interval = (now - last).TotalMilliseconds;
            if (interval >= 0)
            {
                Add(interval);
            }
        }

        _lastHeartbeat = now;
        AssertInvariants();
    }

    /// <summary>
    /// phi for <paramref name="sinceLastMs"/> of silence when intervals are normal with
    /// <paramref name="meanMs"/> and <paramref name="deviationMs"/>; the logistic approximation of the
    /// normal tail keeps it finite and cheap.
    /// </summary>
    internal static double PhiOf(double sinceLastMs, double meanMs, double deviationMs)
    {
        double y = (sinceLastMs - meanMs) / deviationMs;
        double e = Math.Exp(-y * (1.5976 + (0.070566 * y * y)));
        double pLater = sinceLastMs > meanMs ? e / (1.0 + e) : 1.0 - (1.0 / (1.0 + e));
        return -Math.Log10(Math.Max(pLater, double.Epsilon));
    }

    private void Add(double intervalMs)
    {
        if (_intervals.Count >= _settings.MaxSampleSize)
        {
            double dropped = _intervals.Dequeue();
            _sum -= dropped;
            _squaredSum -= dropped * dropped;
        }

        _intervals.Enqueue(intervalMs);
        _sum += intervalMs;
        _squaredSum += intervalMs * intervalMs;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() =>
        Debug.Assert(_intervals.Count >= 1 && _intervals.Count <= Math.Max(2, _settings.MaxSampleSize), "the window is never empty nor over its size");
}
