using System.Diagnostics;
using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Background;
using ActorLsm.Shards.Layout;
using ActorLsm.Shards.Replication;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Event;
using Debug = System.Diagnostics.Debug;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// One shard (<c>/user/actorlsm-shards/shard-07</c>), an Akka actor on the node's I/O dispatcher
/// (<c>actorlsm.io-dispatcher</c>: opening the store, WAL appends of a follower and snapshot
/// installs block its thread): owns the <see cref="LsmStore"/> in <c>DataDir/shard-07</c>, opened
/// when it starts (recovering from its WAL) with a flusher and a compactor child as its background
/// host, and closed in <see cref="PostStop"/>. Every write of the shard goes through its write queue
/// and group commits (ShardActor.Writes.cs), which run with their WAL fsync on the shard's own
/// <see cref="CommitThread"/>; gets are served on the actor (the store is thread-safe and a get takes
/// microseconds); scans, flushes and compactions run on the .NET thread pool.
/// </summary>
/// <remarks>
/// On a failure the node router's supervisor strategy restarts it (Akka keeps its mailbox): writes
/// waiting in the queue get <see cref="ShardUnavailableException"/>, a commit already running is
/// awaited and answered truthfully, and the new instance reopens the store after a backoff
/// (Akka's restart has none, so the shard waits itself: 100 ms doubling per restart within a minute,
/// up to 5 s). While it waits or its store fails to open (retried with the same doubling backoff)
/// it stashes every message, so requests already in the mailbox are kept and served once the store
/// is open; the node fails new requests fast while <see cref="ShardHandle.State"/> is not running.
/// </remarks>
internal sealed partial class ShardActor : UntypedActor, IWithTimers, IWithUnboundedStash
{
    private const string OpenTimerKey = "open";
    private readonly ShardHandle _handle;
    private readonly ShardSettings _settings;
    private readonly WriteQueue _queue;
    private readonly List<Task> _scans = [];
    private LsmStore? _store;
    private bool _restarting;
    private int _storeGeneration;
    private int _openFailures;
    private IActorRef? _flusher;
    private IActorRef? _compactor;
    private CommitThread? _ioThread;

    public ShardActor(ShardHandle handle, ShardSettings settings)
    {
        _handle = handle;
        _settings = settings;
        _queue = new WriteQueue(settings.MaxPendingWrites, settings.MaxPendingBytes);
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc/>
    public IStash Stash { get; set; } = null!;

    private ILoggingAdapter Log { get; } = Context.GetLogger();

    private int Id => _handle.Id;

    /// <summary>The open store. REQUIRES: called on the shard actor after the store opened.</summary>
    private LsmStore Store => _store ?? throw new InvalidOperationException($"shard {Id} has no open store");

    /// <summary>The shard's commit thread (group commits, checkpoints), started at first use. REQUIRES: called on the shard actor.</summary>
    private CommitThread IoThread => _ioThread ??= new CommitThread("actorlsm-" + NodeMetadata.ShardName(Id) + "-commit");

    /// <summary>Props of shard <paramref name="handle"/>'s actor on the settings' I/O dispatcher (the default, unbounded mailbox).</summary>
    public static Props Props(ShardHandle handle, ShardSettings settings) =>
        Akka.Actor.Props.Create(() => new ShardActor(handle, settings)).WithDispatcher(settings.Dispatcher);

    protected override void PreStart()
    {
        _handle.State = ShardState.Starting;
        TryOpen();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor without an open store. Opens it and serves, or stays
    /// opening (stashing messages) and retries after a backoff doubling from the minimum to the maximum.
    /// </summary>
    private void TryOpen()
    {
        string dir = NodeMetadata.ShardDirectory(_settings.DataDir, Id);
        try
        {
            _settings.BeforeShardOpen?.Invoke(Id);
            RecoverInterruptedSwap(dir);
            RemoveSnapshotLeftovers();
            _store = LsmStore.Open(dir, _settings.Storage, CreateHost);
            _epochs = Replication is null ? null : LeaderEpochCache.Load(dir);
        }
        catch (Exception e)
        {
            _store?.Dispose();
            _store = null;
            StopBackgroundChildren();
            _openFailures++;
            _storeGeneration++; // children of the failed open may still be stopping: new names
            TimeSpan retry = ShardHandle.Backoff(_settings.RestartMinBackoff, _settings.RestartMaxBackoff, _openFailures);
            Log.Error(e, "shard {Id} could not open its store (attempt {Attempt}); retrying in {RetryMs} ms", Id, _openFailures, retry.TotalMilliseconds);
            Context.Parent.Tell(new ShardOpenFailed(Id, e), Self);
            WaitToOpen(retry);
            return;
        }

        _openFailures = 0;
        PublishForDirectReads();
        _handle.State = ShardState.Running;
        Context.Parent.Tell(new ShardStarted(Id), Self);
        Become(Serving);
        Stash.UnstashAll();
        if (_handle.Role is { } role)
        {
            OnSetRole(new SetRole(role)); // a restarted shard takes its role back
        }

        AssertInvariants();
    }

    /// <summary>REQUIRES: called on the shard actor without an open store. Stashes every message until the store opens after <paramref name="delay"/>.</summary>
    private void WaitToOpen(TimeSpan delay)
    {
        Become(Opening);
        Timers.StartSingleTimer(OpenTimerKey, OpenStore.Instance, delay);
    }

    private void Opening(object message)
    {
        if (message is OpenStore)
        {
            TryOpen();
        }
        else
        {
            Stash.Stash();
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor with an open store and no commit running. Closes the
    /// store (its flusher and compactor stop), runs <paramref name="whileClosed"/> on its directory,
    /// and opens it again (truncation and snapshot install, ShardActor.Follower.cs).
    /// </summary>
    private void ReopenStore(Action<string> whileClosed)
    {
        string dir = NodeMetadata.ShardDirectory(_settings.DataDir, Id);
        WaitForScans();
        _handle.Reads.Withdraw();
        _store?.Dispose();
        _store = null;
        _recent?.Clear();
        StopBackgroundChildren();
        whileClosed(dir);
        _storeGeneration++;
        _store = LsmStore.Open(dir, _settings.Storage, CreateHost);
        _epochs = Replication is null ? null : LeaderEpochCache.Load(dir);
        PublishForDirectReads();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor with an open store. An unreplicated shard lets callers
    /// read its store on their own threads (<see cref="DirectReads"/>); a replicated one publishes it
    /// only while it leads, with its high watermark and lease (R13, PublishReadBound).
    /// </summary>
    private void PublishForDirectReads()
    {
        if (Replication is null && _store is { } store)
        {
            _handle.Reads.Publish(store);
        }
    }

    private void StopBackgroundChildren()
    {
        if (_flusher is not null)
        {
            Context.Stop(_flusher);
        }

        if (_compactor is not null)
        {
            Context.Stop(_compactor);
        }

        _flusher = null;
        _compactor = null;
    }

    /// <summary>Checkpoints this shard made for followers, and a snapshot it was receiving, are useless after a restart.</summary>
    private void RemoveSnapshotLeftovers()
    {
        string snapshots = Path.Combine(_settings.DataDir, "snapshots");
        if (!Directory.Exists(snapshots))
        {
            return;
        }

        string name = NodeMetadata.ShardName(Id);
        foreach (string dir in Directory.GetDirectories(snapshots))
        {
            string leaf = Path.GetFileName(dir);
            if (leaf.StartsWith(name + "-", StringComparison.Ordinal) || leaf == "incoming-" + name)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>A crash between the two renames of a snapshot install leaves only <c>shard-NN.old</c>: take it back.</summary>
    private static void RecoverInterruptedSwap(string dir)
    {
        string old = dir + ".old";
        if (!Directory.Exists(old))
        {
            return;
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(old, dir);
        }
    }

    protected override void PreRestart(Exception reason, object message)
    {
        _restarting = true;
        _handle.State = ShardState.Restarting;
        Log.Warning(reason, "shard {Id} failed; restarting and reopening its store", Id);
        base.PreRestart(reason, message); // stops the flusher, compactor and replicators, then PostStop
    }

    protected override void PostRestart(Exception reason)
    {
        // Not base.PostRestart (it would open the store at once): the new instance waits first.
        _handle.CountRestart();
        _handle.State = ShardState.Restarting;
        WaitToOpen(_handle.NextRestartBackoff(_settings.RestartMinBackoff, _settings.RestartMaxBackoff));
    }

    protected override void PostStop()
    {
        if (!_restarting)
        {
            _handle.State = ShardState.Stopped;
        }

        string why = _restarting ? "is restarting" : "stopped";
        AnswerInFlightCommit(why);
        AbandonFollowerAppend();
        StepDown(why);
        var unavailable = new Status.Failure(new ShardUnavailableException($"shard {Id} {why}; the write was not committed"));
        foreach (PendingWrite w in _queue.TakeAllWaiting())
        {
            w.Reply(unavailable);
        }

        if (!_restarting)
        {
            FailStashedRequests(); // a restart keeps them: Akka puts the stash back into the mailbox
        }

        WaitForScans();
        _handle.Reads.Withdraw(); // no get on a caller's thread may touch the closing store
        _store?.Dispose(); // waits for the flusher's or compactor's running step
        _store = null;
        _ioThread?.Complete();
        _ioThread = null;
    }

    /// <summary>REQUIRES: called on the shard actor while it stops for good. Requests it kept (stashed while opening) get <see cref="ShardUnavailableException"/>.</summary>
    private void FailStashedRequests()
    {
        var stopped = new Status.Failure(new ShardUnavailableException($"shard {Id} stopped before serving the request; nothing was written"));
        foreach (Envelope kept in Stash.ClearStash())
        {
            if (kept.Message is WriteRequest or UpdateRequest or GetRequest or MultiGetRequest or ScanRequest or StatusRequest or HoldCommits or DispatcherQuery)
            {
                kept.Sender.Tell(stopped);
            }
        }
    }

    protected override void OnReceive(object message) => Serving(message);

    private void Serving(object message)
    {
        switch (message)
        {
            case WriteRequest or UpdateRequest or GetRequest or ScanRequest when HoldsForFencedLeadership():
                return; // R10: served once this replica takes the leadership it waits for
            case WriteRequest write:
                OnWrite(write);
                return;
            case UpdateRequest update:
                OnUpdate(update);
                return;
            case GetRequest or MultiGetRequest or ScanRequest:
                OnRead(message, Sender);
                return;
            case CommitDone done:
                OnCommitDone(done.Group);
                return;
            case SetRole set:
                _handle.Role = set.Role;
                if (_appendInFlight is not null)
                {
                    Stash.Stash(); // the append's records and epochs must land before the role changes
                    return;
                }

                OnSetRole(set);
                return;
            case AppendDone done:
                OnAppendDone(done.Append);
                return;
            case AppendRecords append:
                if (!MustDefer())
                {
                    OnAppend(append);
                }

                return;
            case ReplicaProbe probe:
                if (!MustDefer())
                {
                    OnProbe(probe);
                }

                return;
            case FollowerAcked acked:
                OnFollowerAcked(acked);
                return;
            case ResignTick:
                ResignAbandonedLeadership();
                return;
            case SupportFencePassed:
                OnSupportFencePassed();
                return;
            case FollowerRejected rejected:
                OnFollowerRejected(rejected);
                return;
            case InSyncTick:
                OnInSyncTick();
                return;
            case CheckpointRequest checkpoint:
                OnCheckpointRequest(checkpoint);
                return;
            case CheckpointFinished finished:
                OnCheckpointFinished(finished);
                return;
            case SnapshotBegin begin:
                if (!MustDefer())
                {
                    OnSnapshotBegin(begin);
                }

                return;
            case SnapshotChunk chunk:
                if (!MustDefer())
                {
                    OnSnapshotChunk(chunk);
                }

                return;
            case SnapshotEnd end:
                if (!MustDefer())
                {
                    OnSnapshotEnd(end);
                }

                return;
            case StatusRequest:
                Sender.Tell(BuildStatus());
                return;
            case FlushCompleted flushed:
                OnFlushCompleted(flushed.Info);
                return;
            case FlushStepsDone:
                return; // counted per FlushCompleted, which carries the details
            case CompactionFinished compacted:
                _handle.CountCompactions(compacted.Steps);
                _settings.OnCompactionFinished?.Invoke(Id, compacted.Steps);
                return;
            case DispatcherQuery:
                Sender.Tell(new DispatcherInfo(Context.Props.Dispatcher, Thread.CurrentThread.Name));
                return;
            case HoldCommits hold:
                _commitGate = hold.Gate;
                Sender.Tell(new Status.Success(null));
                return;
            case InjectFailure:
                _handle.State = ShardState.Restarting;
                throw new InjectedShardFailureException($"injected failure of shard {Id}");
            case OpenStore:
                return; // a retry timer of an earlier failure
            default:
                Unhandled(message);
                return;
        }
    }

    /// <summary>REQUIRES: called on the shard actor inside the store's Open, before any background step can run.</summary>
    private ActorBackgroundWorkHost CreateHost(IBackgroundWork work)
    {
        var gate = new BackgroundStepGate();
        IActorRef self = Self;
        if (work is LsmStore store)
        {
            store.FlushCompleted += info => self.Tell(new FlushCompleted(info));
        }

        string suffix = _storeGeneration == 0 ? string.Empty : "-" + _storeGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        IActorRef flusher = Context.ActorOf(FlusherActor.Props(work, self, gate, _settings.Dispatcher), "flusher" + suffix);
        IActorRef compactor = Context.ActorOf(CompactorActor.Props(work, self, gate, _settings.Dispatcher), "compactor" + suffix);
        _flusher = flusher;
        _compactor = compactor;
        return new ActorBackgroundWorkHost(flusher, compactor, gate);
    }

    private void OnGet(GetRequest get, IActorRef replyTo)
    {
        try
        {
            // Session records (R11) are the shard's own: a client never sees them.
            ExpiringValue? found = Sessions.SessionKeys.IsReserved(get.Key) ? null : Store.GetWithExpiry(get.Key);
            replyTo.Tell(found is { } live ? new GetReply(live.Value, live.ExpiresAt) : new GetReply(null));
        }
        catch (ArgumentException e)
        {
            replyTo.Tell(new Status.Failure(e));
        }
    }

    private void OnMultiGet(MultiGetRequest get, IActorRef replyTo)
    {
        try
        {
            var values = new byte[]?[get.Keys.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Store.GetWithExpiry(get.Keys[i]) is { } live ? live.Value : null;
            }

            replyTo.Tell(new MultiGetReply(values));
        }
        catch (ArgumentException e)
        {
            replyTo.Tell(new Status.Failure(e));
        }
    }

    private void OnFlushCompleted(FlushCompletedInfo info)
    {
        _handle.CountFlush();
        _recent?.TrimThrough(info.LargestSequence);
        try
        {
            _settings.OnFlushCompleted(Id, info);
        }
        catch (Exception e)
        {
            Log.Error(e, "a flush callback of shard {Id} threw; flush callbacks must not throw", Id);
        }
    }

    private ShardStatusInfo BuildStatus()
    {
        LsmStats stats = Store.GetStats();
        var files = new int[stats.Levels.Count];
        var bytes = new long[stats.Levels.Count];
        for (int i = 0; i < files.Length; i++)
        {
            files[i] = stats.Levels[i].Files;
            bytes[i] = stats.Levels[i].Bytes;
        }

        return new ShardStatusInfo(
            Id,
            _handle.StateName,
            stats.LastSequence,
            files,
            bytes,
            _handle.Flushes,
            _handle.Compactions,
            stats.MemTableBytes,
            _queue.PendingOps,
            _handle.Restarts,
            stats.SlowdownCount + stats.StopCount)
        {
            Role = _role switch
            {
                null => "standalone",
                LeaderRole => "leader",
                FollowerRole => "follower",
                _ => "offline",
            },
            LeaderEpoch = _leader?.Epoch ?? _role?.Epoch ?? 0,
            CommittedSequence = _leader?.HighWatermark ?? (_role is null ? stats.LastSequence : Math.Min(_followerCommit, stats.LastSequence)),
            InSync = _leader is null ? [] : [.. _leader.CommittedInSync.Order(StringComparer.Ordinal)],
            SnapshotsInstalled = _handle.SnapshotsInstalled,
            Truncations = _handle.Truncations,
        };
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_inFlight is null || _store is not null, "a commit runs only against an open store");
        Debug.Assert(_queue.WaitingCount == 0 || _inFlight is not null || _store is null || _checkpointRunning || _checkpointWaiting.Count > 0, "writes wait only while a commit or checkpoint runs");
        Debug.Assert(_leader is null || _role is LeaderRole, "leader state only in the leader role");
        Debug.Assert(_appendInFlight is null || (_store is not null && _leader is null), "a follower append runs only against an open store, never while leading");
        Debug.Assert(_fencedLeadership is null || (_leader is null && _role is OfflineRole), "a leadership waiting for its R10 fence is not led yet");
        _leader?.AssertInvariants();
    }
}
