using System.Diagnostics;

namespace ActorLsm.Storage.Compactions;

/// <summary>
/// Limits the bytes per second compaction writes (RocksDB's rate_limiter, single client):
/// a token bucket refilled continuously, with at most one second of burst.
/// Thread-safe.
/// </summary>
internal sealed class CompactionRateLimiter
{
    private readonly long _bytesPerSecond;
    private readonly object _lock = new();
    private double _tokens;
    private long _lastRefill = Stopwatch.GetTimestamp();

    public CompactionRateLimiter(long bytesPerSecond)
    {
        _bytesPerSecond = bytesPerSecond;
        _tokens = bytesPerSecond;
    }

    /// <summary>Blocks until <paramref name="bytes"/> may be written.</summary>
    public void Request(long bytes)
    {
        TimeSpan wait;
        lock (_lock)
        {
            long now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_bytesPerSecond, _tokens + (Stopwatch.GetElapsedTime(_lastRefill, now).TotalSeconds * _bytesPerSecond));
            _lastRefill = now;
            _tokens -= bytes;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _bytesPerSecond);
        }

        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait); // throttling is the point: this thread is the compaction worker
        }
    }
}
