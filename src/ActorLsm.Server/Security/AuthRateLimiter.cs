using System.Diagnostics;
using System.Net;

namespace ActorLsm.Server.Security;

/// <summary>Settings of the <see cref="AuthRateLimiter"/> (hocon: <c>actorlsm.security.auth-rate-limit.*</c>).</summary>
public sealed record AuthRateLimitOptions
{
    /// <summary>Consecutive failures an address may have before it must wait. Default 3.</summary>
    public int FreeFailures { get; init; } = 3;

    /// <summary>Wait after the first failure past <see cref="FreeFailures"/>; each further failure doubles it. Default 1 s.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait. An address quiet for twice this long starts afresh. Default 60 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Addresses remembered at once; past it the quiet ones are forgotten first. Default 10 000.</summary>
    public int MaxTrackedAddresses { get; init; } = 10_000;
}

/// <summary>
/// Rate limit of failed authentications per remote address, with exponential back-off: after
/// <see cref="AuthRateLimitOptions.FreeFailures"/> consecutive failures, an address must wait
/// <c>BaseDelay * 2^(failures - FreeFailures - 1)</c> (at most <see cref="AuthRateLimitOptions.MaxDelay"/>)
/// after its last failure before its next attempt is even checked. A success clears the address.
/// Thread-safe; time comes from a <see cref="TimeProvider"/> (tests pass a manual one).
/// </summary>
public sealed class AuthRateLimiter
{
    private readonly AuthRateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];

    /// <summary>A limiter with <paramref name="options"/>; <paramref name="time"/> defaults to the system clock.</summary>
    public AuthRateLimiter(AuthRateLimitOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.FreeFailures);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTrackedAddresses, 1);
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Addresses with failures remembered now.</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// How long <paramref name="address"/> must still wait before its next attempt may be checked;
    /// <see cref="TimeSpan.Zero"/> when it may try now.
    /// </summary>
    public TimeSpan RetryAfter(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(address, out Entry entry))
            {
                return TimeSpan.Zero;
            }

            TimeSpan left = entry.BlockedUntil - now;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Records a failed attempt of <paramref name="address"/>; returns its consecutive failures and the
    /// wait now imposed (zero while within <see cref="AuthRateLimitOptions.FreeFailures"/>).
    /// </summary>
    public (int Failures, TimeSpan Wait) RecordFailure(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            int failures = 1;
            if (_entries.TryGetValue(address, out Entry entry) && now - entry.LastFailure < _options.MaxDelay * 2)
            {
                failures = entry.Failures + 1;
            }

            TimeSpan wait = WaitAfter(failures);
            if (!_entries.ContainsKey(address) && _entries.Count >= _options.MaxTrackedAddresses)
            {
                Prune(now);
            }

            _entries[address] = new Entry(failures, now, now + wait);
            AssertInvariants();
            return (failures, wait);
        }
    }

    /// <summary>Records a successful attempt: <paramref name="address"/> starts afresh.</summary>
    public void RecordSuccess(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            _entries.Remove(address);
        }
    }

    /// <summary>The wait imposed after <paramref name="failures"/> consecutive failures.</summary>
    public TimeSpan WaitAfter(int failures)
    {
        int over = failures - _options.FreeFailures;
        if (over <= 0)
        {
            return TimeSpan.Zero;
        }

        // 2^(over-1) * base, saturated at the maximum (shifts past 30 would only overflow).
        double factor = Math.Pow(2, Math.Min(over - 1, 30));
        double ticks = Math.Min(_options.BaseDelay.Ticks * factor, _options.MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    // REQUIRES: _gate held. Forgets quiet addresses; when none is quiet, the one with the oldest failure.
    private void Prune(DateTimeOffset now)
    {
        List<IPAddress> quiet = [.. _entries.Where(e => now - e.Value.LastFailure >= _options.MaxDelay * 2).Select(e => e.Key)];
        foreach (IPAddress address in quiet)
        {
            _entries.Remove(address);
        }

        if (_entries.Count >= _options.MaxTrackedAddresses)
        {
            IPAddress oldest = _entries.MinBy(e => e.Value.LastFailure).Key;
            _entries.Remove(oldest);
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entries.Count <= _options.MaxTrackedAddresses, "tracked addresses stay within the bound");
        Debug.Assert(_entries.Values.All(e => e.Failures > 0 && e.BlockedUntil >= e.LastFailure), "every entry has a failure and waits forward");
    }

    private readonly record struct Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset BlockedUntil);
}
