using Akka.Actor;

namespace ActorLsm.Shards.Shard;

/// <summary>Life-cycle state of one shard actor, as seen from outside it.</summary>
internal enum ShardState
{
    Starting,
    Running,
    Restarting,
    Stopped,
}

/// <summary>
/// What the node façade and the router know of one shard without asking it: its ref (stable
/// across restarts), its state (written by the shard actor, read by anyone, so requests fail
/// fast while it restarts) and its restart count. Thread-safe.
/// </summary>
internal sealed class ShardHandle
{
    private readonly Lock _stateLock = new();
    private IActorRef? _ref;
    private TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private long _restarts;
    private int _recentRestarts;
    private long _lastRestartMs;
    private long _flushes;
    private long _compactions;
    private long _snapshots;
    private long _truncations;
    private Replication.ReplicaRole? _role;

    public ShardHandle(int id)
    {
        Id = id;
    }

    public int Id { get; }

    /// <summary>The store, published by the shard actor for gets on the caller's thread when the shard is unreplicated.</summary>
    public DirectReads Reads { get; } = new();

    /// <summary>The latest replica role given to the shard (null: standalone); kept here so a restarted shard actor takes it back.</summary>
    public Replication.ReplicaRole? Role
    {
        get => Volatile.Read(ref _role);
        set => Volatile.Write(ref _role, value);
    }

    /// <summary>
    /// R10: the leader epoch of the last append this replica acknowledged and when (Stopwatch ticks; 0 =
    /// none), kept here so a restarted shard actor still supports no newer leader within the fence.
    /// Written and read only by the shard actor.
    /// </summary>
    public (long Epoch, long Ticks) LastSupport { get; set; } = (-1, 0);

    /// <summary>
    /// R12: the newest leader epoch in which this replica's group commit failed (0 = none). Its
    /// records may be on followers, so it never leads at that epoch or an older one again, even
    /// after a restart of the shard actor; it waits for a role of a newer epoch. Written and read
    /// only by the shard actor.
    /// </summary>
    public long AbandonedLeaderEpoch { get; set; }

    /// <summary>The shard actor (the same Akka ref across restarts); set by the router when it creates the shard.</summary>
    public IActorRef Ref
    {
        get => Volatile.Read(ref _ref) ?? throw new InvalidOperationException($"shard {Id} has not been created");
        set => Volatile.Write(ref _ref, value);
    }

    public ShardState State
    {
        get => (ShardState)Volatile.Read(ref _state);
        set
        {
            lock (_stateLock)
            {
                Volatile.Write(ref _state, (int)value);
                if (value == ShardState.Running)
                {
                    _running.TrySetResult();
                }
                else if (_running.Task.IsCompleted)
                {
                    _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Completes when the shard is (next) running: at once if it runs now.</summary>
    public Task WhenRunning
    {
        get
        {
            lock (_stateLock)
            {
                return _running.Task;
            }
        }
    }

    /// <summary>Restarts of the shard actor since the node started.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    public void CountRestart() => Interlocked.Increment(ref _restarts);

    /// <summary>
    /// REQUIRES: called on the shard actor at a restart. The backoff before the restarted shard
    /// reopens its store: <paramref name="min"/> doubled per earlier restart within the last minute,
    /// capped at <paramref name="max"/> (a minute without restarts starts over at <paramref name="min"/>).
    /// </summary>
    public TimeSpan NextRestartBackoff(TimeSpan min, TimeSpan max)
    {
        long now = Environment.TickCount64;
        _recentRestarts = now - _lastRestartMs > 60_000 ? 1 : _recentRestarts + 1;
        _lastRestartMs = now;
        return Backoff(min, max, _recentRestarts);
    }

    /// <summary>The <paramref name="attempt"/>-th (1-based) delay of a backoff doubling from <paramref name="min"/> up to <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(TimeSpan min, TimeSpan max, int attempt)
    {
        int doublings = Math.Clamp(attempt - 1, 0, 30);
        double ms = Math.Min(min.TotalMilliseconds * Math.Pow(2, doublings), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(ms, 0));
    }

    /// <summary>Flushes of the shard's store since the node started (across restarts).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    public void CountFlush() => Interlocked.Increment(ref _flushes);

    /// <summary>Snapshots (leader SSTables) this replica installed to catch up, since the node started.</summary>
    public long SnapshotsInstalled => Interlocked.Read(ref _snapshots);

    public void CountSnapshot() => Interlocked.Increment(ref _snapshots);

    /// <summary>Times this replica truncated a divergent log suffix in place, since the node started.</summary>
    public long Truncations => Interlocked.Read(ref _truncations);

    public void CountTruncation() => Interlocked.Increment(ref _truncations);

    /// <summary>Compaction steps that did work since the node started (across restarts).</summary>
    public long Compactions => Interlocked.Read(ref _compactions);

    public void CountCompactions(int steps) => Interlocked.Add(ref _compactions, steps);

    /// <summary>The state's name in status reports: starting, running, restarting or stopped.</summary>
    public string StateName => State switch
    {
        ShardState.Starting => "starting",
        ShardState.Running => "running",
        ShardState.Restarting => "restarting",
        _ => "stopped",
    };
}
