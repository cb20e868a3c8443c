using ActorLsm.Server.Dispatch;
using ActorLsm.Shards;
using ActorLsm.Storage;

namespace ActorLsm.Server.Tests.Support;

/// <summary>
/// A model of the node for protocol tests: one sorted dictionary under a lock, the same key limit
/// check as the storage engine, and an optional failure injected into every call. Expiries are kept
/// beside the values and judged by <see cref="Clock"/> on reads through <see cref="GetWithExpiryAsync"/>
/// and updates (plain gets and scans ignore them).
/// </summary>
internal sealed class InMemoryNodeStore : INodeStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<byte[], byte[]> _data = new(ByteComparer.Instance);
    private readonly Dictionary<byte[], DateTimeOffset> _expiries = new(new KeyEquality());
    private ulong _sequence;

    /// <summary>The clock expiries are judged by.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public int ShardCount { get; init; } = 1;

    public int MaxScanLimit { get; init; } = 1000;

    public int MaxKeySize { get; init; } = 1024;

    /// <summary>When set, every operation throws what this returns.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>When set, an operation on a key for which this returns an exception throws it (a shard that cannot answer).</summary>
    public Func<byte[], Exception?>? KeyFailure { get; set; }

    /// <summary>When set, every operation waits for it before running.</summary>
    public Task? Gate { get; set; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _arrivalWaiters = new();
    private int _arrivals;

    /// <summary>Completes once <paramref name="count"/> operations have reached the store while <see cref="Gate"/> was set.</summary>
    public Task ArrivalsAsync(int count)
    {
        TaskCompletionSource waiter = _arrivalWaiters.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Volatile.Read(ref _arrivals) >= count)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    /// <summary>Completed when an operation reaches the store while <see cref="Gate"/> is set.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Disposed { get; private set; }

    public async Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            Apply(new BatchOperation(key, value));
            return ++_sequence;
        }
    }

    public async Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            Apply(new BatchOperation(key, value, expiresAt));
            return ++_sequence;
        }
    }

    public async Task<ExpiringValue?> GetWithExpiryAsync(byte[] key, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            return Read(key);
        }
    }

    public async Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        UpdateOutcome outcome = await UpdateAsync([key], (current, now) => current[0] is not { } live
            ? UpdateDecision.None(false)
            : expiresAt <= now ? UpdateDecision.Delete(key, true) : UpdateDecision.Put(key, live.Value, expiresAt, true), cancellationToken).ConfigureAwait(false);
        return outcome.Result is true;
    }

    public Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan timeToLive, CancellationToken cancellationToken) =>
        SetExpiryAsync(key, Clock.GetUtcNow() + timeToLive, cancellationToken);

    public async Task<UpdateOutcome> UpdateAsync(IReadOnlyList<byte[]> keys, KeyUpdater updater, CancellationToken cancellationToken)
    {
        foreach (byte[] key in keys)
        {
            await EnterAsync(key).ConfigureAwait(false);
        }

        lock (_gate)
        {
            UpdateDecision decision = updater([.. keys.Select(Read)], Clock.GetUtcNow());
            foreach (BatchOperation op in decision.Writes)
            {
                Apply(op);
            }

            return new UpdateOutcome(decision.Writes.Count > 0 ? ++_sequence : null, decision.Result);
        }
    }

    /// <summary>REQUIRES: _gate held.</summary>
    private ExpiringValue? Read(byte[] key)
    {
        if (!_data.TryGetValue(key, out byte[]? value))
        {
            return null;
        }

        DateTimeOffset? expiresAt = _expiries.TryGetValue(key, out DateTimeOffset at) ? at : null;
        return expiresAt <= Clock.GetUtcNow() ? null : new ExpiringValue(value, expiresAt);
    }

    /// <summary>REQUIRES: _gate held.</summary>
    private void Apply(BatchOperation op)
    {
        _expiries.Remove(op.Key);
        if (op.Value is null)
        {
            _data.Remove(op.Key);
            return;
        }

        _data[op.Key] = op.Value;
        if (op.ExpiresAt is { } at)
        {
            _expiries[op.Key] = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        }
    }

    public async Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            Apply(new BatchOperation(key, null));
            return ++_sequence;
        }
    }

    public async Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            return _data.TryGetValue(key, out byte[]? value) ? value : null;
        }
    }

    public async Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken)
    {
        await EnterAsync([]).ConfigureAwait(false);
        lock (_gate)
        {
            IEnumerable<KeyValuePair<byte[], byte[]>> range = _data.Where(e =>
                (start is null || ByteComparer.Instance.Compare(e.Key, start) >= 0) && (end is null || ByteComparer.Instance.Compare(e.Key, end) < 0));
            List<KeyValuePair<byte[], byte[]>> all = (reverse ? range.Reverse() : range).ToList();
            return (all.Take(limit).ToList(), all.Count > limit);
        }
    }

    public async Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanShardsAsync(byte[]? start, byte[]? end, int limit, bool reverse, IReadOnlyList<int>? shards, CancellationToken cancellationToken)
    {
        await EnterAsync([]).ConfigureAwait(false);
        lock (_gate)
        {
            IEnumerable<KeyValuePair<byte[], byte[]>> range = _data.Where(e =>
                (start is null || ByteComparer.Instance.Compare(e.Key, start) >= 0) && (end is null || ByteComparer.Instance.Compare(e.Key, end) < 0)
                && (shards is null || shards.Contains(ActorLsm.Protocol.ShardHash.ShardOf(e.Key, ShardCount))));
            List<KeyValuePair<byte[], byte[]>> all = (reverse ? range.Reverse() : range).ToList();
            return (all.Take(limit).ToList(), all.Count > limit);
        }
    }

    public async Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken)
    {
        foreach (BatchOperation op in operations)
        {
            await EnterAsync(op.Key).ConfigureAwait(false);
        }

        lock (_gate)
        {
            foreach (BatchOperation op in operations)
            {
                Apply(op);
            }

            _sequence++;
        }

        return operations.Count == 0 ? 0 : 1;
    }

    public async Task<NodeStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await EnterAsync([]).ConfigureAwait(false);
        lock (_gate)
        {
            return new NodeStatus(1, [new ShardStatusInfo(0, "running", _sequence, [0], [0], 3, 2, 0, 0, 0)]);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private async Task EnterAsync(byte[] key)
    {
        if (Gate is { } gate)
        {
            Arrived.TrySetResult();
            int arrived = Interlocked.Increment(ref _arrivals);
            foreach (KeyValuePair<int, TaskCompletionSource> waiter in _arrivalWaiters)
            {
                if (arrived >= waiter.Key)
                {
                    waiter.Value.TrySetResult();
                }
            }

            await gate.ConfigureAwait(false);
        }

        if (Failure is { } failure)
        {
            throw failure();
        }

        if (KeyFailure?.Invoke(key) is { } keyFailure)
        {
            throw keyFailure;
        }

        if (key.Length > MaxKeySize)
        {
            throw new ArgumentException($"key of {key.Length} bytes exceeds the limit of {MaxKeySize}", nameof(key));
        }
    }

    private sealed class KeyEquality : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var h = default(HashCode);
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
