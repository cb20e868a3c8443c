using System.Collections.Concurrent;
using ActorLsm.Resp.Coordination;

namespace ActorLsm.Resp.Tests;

/// <summary>
/// A backend in memory whose writes complete when the test says (<see cref="HoldWrites"/>), so tests can put
/// commands on top of writes still in flight; <see cref="FailNext"/> makes the next write fail without applying.
/// </summary>
internal sealed class InMemoryBackend : IRespBackend
{
    private readonly ConcurrentDictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private readonly ConcurrentQueue<(IReadOnlyList<RespWrite> Writes, TaskCompletionSource Done)> _held = new();
    private int _failNext;

    public bool HoldWrites { get; set; }

    public int Writes;

    public void FailNext() => Interlocked.Exchange(ref _failNext, 1);

    /// <summary>Applies and completes the held writes in order.</summary>
    public void Release()
    {
        while (_held.TryDequeue(out var w))
        {
            Apply(w.Writes, w.Done);
        }
    }

    public int ShardCount => 4;

    public int MaxScanLimit => 1000;

    public bool ClusterEnabled => false;

    public RespTopology? Topology => null;

    private volatile RespRedirect? _redirect;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <see cref="Route"/> has answered a redirect.</summary>
    public TaskCompletionSource Redirected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RespRedirect? Route(int slot)
    {
        RespRedirect? redirect = _redirect;
        if (redirect is not null)
        {
            Redirected.TrySetResult();
        }

        return redirect;
    }

    public Task? TopologyChanged => Volatile.Read(ref _changed).Task;

    /// <summary>Every slot routes to <paramref name="redirect"/> from now on (null: served here); completes <see cref="TopologyChanged"/>.</summary>
    public void SetRoute(RespRedirect? redirect)
    {
        _redirect = redirect;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) =>
        ReadFailure?.Invoke(key) is { } failure ? Task.FromException<byte[]?>(failure) : Task.FromResult(_data.TryGetValue(key, out byte[]? v) ? v : null);

    /// <summary>Calls of <see cref="GetMany"/>.</summary>
    public int ManyReads;

    /// <summary>When set, a read of a key for which this returns an exception fails with it (its shard cannot answer).</summary>
    public Func<byte[], Exception?>? ReadFailure { get; set; }

    public IReadOnlyList<Task<byte[]?>> GetMany(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ManyReads);
        return [.. keys.Select(k => ReadFailure?.Invoke(k) is { } failure
            ? Task.FromException<byte[]?>(failure)
            : Task.FromResult(_data.TryGetValue(k, out byte[]? v) ? v : null))];
    }

    public Task WriteAsync(IReadOnlyList<RespWrite> writes, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (HoldWrites)
        {
            _held.Enqueue((writes, done));
        }
        else
        {
            Apply(writes, done);
        }

        return done.Task;
    }

    private void Apply(IReadOnlyList<RespWrite> writes, TaskCompletionSource done)
    {
        if (Interlocked.Exchange(ref _failNext, 0) == 1)
        {
            done.SetException(new InvalidOperationException("write refused"));
            return;
        }

        foreach (RespWrite w in writes)
        {
            if (w.Value is null)
            {
                _data.TryRemove(w.Key, out _);
            }
            else
            {
                _data[w.Key] = w.Value;
            }
        }

        done.SetResult();
    }

    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, int limit, CancellationToken cancellationToken)
    {
        var sorted = _data.Where(e => start is null || e.Key.AsSpan().SequenceCompareTo(start) >= 0)
            .OrderBy(e => e.Key, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
            .ToList();
        return Task.FromResult<(IReadOnlyList<KeyValuePair<byte[], byte[]>>, bool)>(([.. sorted.Take(limit)], sorted.Count > limit));
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> InfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>>(new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>());

    public string? ClassifyError(Exception error) => null;
}
