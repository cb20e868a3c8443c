using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

/// <summary>A sorted in-memory store for runner tests; counts calls; optionally fails every put.</summary>
internal sealed class InMemoryYcsbStore : IYcsbStore
{
    private readonly SortedDictionary<byte[], byte[]> _data = new(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
    private readonly object _lock = new();

    public bool FailPuts { get; init; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _data.Count;
            }
        }
    }

    public IReadOnlyList<byte[]> Keys()
    {
        lock (_lock)
        {
            return [.. _data.Keys];
        }
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_data.TryGetValue(key, out byte[]? value) ? value : null);
        }
    }

    public async Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken)
    {
        await Task.Yield(); // complete asynchronously, like a real store
        if (FailPuts)
        {
            throw new IOException("injected failure");
        }

        lock (_lock)
        {
            _data[key] = value;
        }
    }

    public Task<int> ScanAsync(byte[] start, int count, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            int available = _data.Keys.Count(k => k.AsSpan().SequenceCompareTo(start) >= 0);
            return Task.FromResult(Math.Min(available, count));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
