using ActorLsm.Server.Dispatch;
using ActorLsm.Shards;

namespace ActorLsm.Server.Tests.Support;

/// <summary>
/// A model of the node for protocol tests: one sorted dictionary under a lock, the same key limit
/// check as the storage engine, and an optional failure injected into every call.
/// </summary>
internal sealed class InMemoryNodeStore : INodeStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<byte[], byte[]> _data = new(ByteComparer.Instance);
    private ulong _sequence;

    public int ShardCount { get; init; } = 1;

    public int MaxScanLimit { get; init; } = 1000;

    public int MaxKeySize { get; init; } = 1024;

    /// <summary>When set, every operation throws what this returns.</summary>
    public Func<Exception>? Failure { get; set; }

    /// <summary>When set, every operation waits for it before running.</summary>
    public Task? Gate { get; set; }

    /// <summary>Completed when an operation reaches the store while <see cref="Gate"/> is set.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Disposed { get; private set; }

    public async Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            _data[key] = value;
            return ++_sequence;
        }
    }

    public async Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken)
    {
        await EnterAsync(key).ConfigureAwait(false);
        lock (_gate)
        {
            _data.Remove(key);
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
                if (op.Value is null)
                {
                    _data.Remove(op.Key);
                }
                else
                {
                    _data[op.Key] = op.Value;
                }
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
            await gate.ConfigureAwait(false);
        }

        if (Failure is { } failure)
        {
            throw failure();
        }

        if (key.Length > MaxKeySize)
        {
            throw new ArgumentException($"key of {key.Length} bytes exceeds the limit of {MaxKeySize}", nameof(key));
        }
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
