using ActorLsm.Shards.Sessions;
using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// The write path: validate, queue (or refuse when full), and group commit. One commit runs at
/// a time, off the actor thread on the shard's own <see cref="CommitThread"/>; writes arriving meanwhile wait in the queue and leave together
/// as the next group, one <see cref="WriteBatch"/> and one WAL record (LevelDB's writer queue,
/// moved into the actor's mailbox order).
/// </summary>
internal sealed partial class ShardActor
{
    private CommitGroup? _inFlight;
    private Task? _commitGate;

    private void OnWrite(WriteRequest write)
    {
        if (Validate(write.Ops) is { } invalid)
        {
            Sender.Tell(new Status.Failure(invalid));
            return;
        }

        if (WriteRefusal() is { } refused)
        {
            Sender.Tell(new Status.Failure(refused));
            return;
        }

        SessionWrite? session = null;
        if (write.Session is { } s)
        {
            if (HandledBySession(s, isUpdate: false, Sender))
            {
                return; // R11: a resend, answered (or joined to the write in flight), or refused
            }

            session = new SessionWrite(s);
        }

        Enqueue(new PendingWrite(write.Ops, Sender, WriteQueue.BytesOf(write.Ops), Session: session));
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. Reads the update's keys as they will be once every
    /// write queued before it is committed (the newest pending operation of a key, else the store),
    /// runs its updater, and queues the writes it returns as one write: no write of this shard can
    /// come between the read and the writes. Answered with <see cref="UpdateOutcome"/> when its group
    /// is committed (even with no writes, so that what it read is committed).
    /// </summary>
    private void OnUpdate(UpdateRequest update)
    {
        if (update.Keys is not { Length: > 0 } keys || Array.Exists(keys, static k => k is null))
        {
            Sender.Tell(new Status.Failure(new ArgumentException("an update needs at least one key, and no key may be null", nameof(update))));
            return;
        }

        if (Array.Exists(keys, static k => SessionKeys.IsReserved(k)))
        {
            Sender.Tell(new Status.Failure(ReservedKeyError()));
            return;
        }

        if (WriteRefusal() is { } refused)
        {
            Sender.Tell(new Status.Failure(refused));
            return;
        }

        SessionWrite? session = null;
        if (update.Session is { } s)
        {
            if (HandledBySession(s, isUpdate: true, Sender))
            {
                return; // R11: the updater runs once; a resend gets the first run's outcome
            }

            session = new SessionWrite(s);
        }

        LsmStore store = Store;
        DateTimeOffset now = store.UtcNow;
        long nowMs = now.ToUnixTimeMilliseconds();
        var current = new ExpiringValue?[keys.Length];
        UpdateDecision decision;
        try
        {
            for (int i = 0; i < keys.Length; i++)
            {
                current[i] = ReadForUpdate(store, keys[i], nowMs);
            }

            decision = update.Updater(current, now) ?? throw new InvalidOperationException("the updater returned null");
        }
        catch (Exception e)
        {
            Sender.Tell(new Status.Failure(e));
            return;
        }

        BatchOperation[] ops = [.. decision.Writes ?? []];
        foreach (BatchOperation op in ops)
        {
            if (op.Key is null || !Array.Exists(keys, k => k.AsSpan().SequenceEqual(op.Key)))
            {
                Sender.Tell(new Status.Failure(new ArgumentException("an updater may write only the keys of its request; nothing was written", nameof(update))));
                return;
            }
        }

        if (ops.Length > 0 && Validate(ops) is { } invalid)
        {
            Sender.Tell(new Status.Failure(invalid));
            return;
        }

        if (session is not null && ops.Length > 0 && !SessionOutcome.CanKeep(decision.Result))
        {
            Sender.Tell(new Status.Failure(new ArgumentException(
                $"an update of a write session must return a result a session record can keep (null, bool, int, long, string or byte[]), not {decision.Result!.GetType()}; nothing was written", nameof(update))));
            return;
        }

        Enqueue(new PendingWrite(ops, Sender, WriteQueue.BytesOf(ops), IsUpdate: true, Result: decision.Result, Session: session));
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. Queues <paramref name="pending"/> (a write or an update) and starts a
    /// commit if none runs, or answers OVERLOADED with nothing written when the write queue is full.
    /// </summary>
    private void Enqueue(PendingWrite pending)
    {
        if (!_queue.TryEnqueue(pending))
        {
            pending.ReplyTo.Tell(new Status.Failure(new OverloadedException(
                $"shard {Id} has {_queue.PendingOps} operations ({_queue.PendingBytes} bytes) pending, limits {_settings.MaxPendingWrites} operations and {_settings.MaxPendingBytes} bytes; nothing was written")));
            return;
        }

        if (pending.Session is { } session)
        {
            RegisterSessionWrite(session);
        }

        StartCommitIfIdle();
        AssertInvariants();
    }

    /// <summary>REQUIRES: called on the shard actor. The key's value once the queued writes are committed, judged live at <paramref name="nowMs"/>.</summary>
    private ExpiringValue? ReadForUpdate(LsmStore store, byte[] key, long nowMs)
    {
        if (!_queue.TryGetPending(key, out BatchOperation op))
        {
            return store.GetWithExpiry(key);
        }

        if (op.Value is null)
        {
            return null;
        }

        if (op.ExpiresAt is not { } expiresAt)
        {
            return new ExpiringValue(op.Value, null);
        }

        // As the store will hold it: millisecond precision, expired at or after the expiry.
        long expiryMs = expiresAt.ToUnixTimeMilliseconds();
        return expiryMs <= nowMs ? null : new ExpiringValue(op.Value, DateTimeOffset.FromUnixTimeMilliseconds(expiryMs));
    }

    private ArgumentException? Validate(BatchOperation[] ops)
    {
        if (ops.Length == 0)
        {
            return new ArgumentException("a write needs at least one operation", nameof(ops));
        }

        LsmOptions limits = _settings.Storage;
        foreach (BatchOperation op in ops)
        {
            if (op.Key is null)
            {
                return new ArgumentException("a key is null", nameof(ops));
            }

            if (SessionKeys.IsReserved(op.Key))
            {
                return ReservedKeyError();
            }

            if (op.Key.Length > limits.MaxKeySize)
            {
                return new ArgumentException($"key of {op.Key.Length} bytes exceeds the limit of {limits.MaxKeySize} bytes", nameof(ops));
            }

            if (op.Value is { Length: var n } && n > limits.MaxValueSize)
            {
                return new ArgumentException($"value of {n} bytes exceeds the limit of {limits.MaxValueSize} bytes", nameof(ops));
            }
        }

        return null;
    }

    private static ArgumentException ReservedKeyError() =>
        new("keys starting with the bytes FF FF FF FF 73 65 73 73 are reserved for client sessions; nothing was written", "key");

    /// <summary>REQUIRES: called on the shard actor. Starts the next group commit unless one runs.</summary>
    private void StartCommitIfIdle()
    {
        if (_inFlight is not null || _store is null || _checkpointRunning || _checkpointWaiting.Count > 0)
        {
            return;
        }

        if (RefusesClients)
        {
            // R1: a replica that does not lead never writes clients' data itself (its log follows the leader's).
            FailWaitingWrites($"shard {Id} is not led by this node ({_role}); nothing was written");
            return;
        }

        CommitGroup? group = _queue.TakeGroup(_settings.MaxGroupBytes);
        if (group is null)
        {
            return;
        }

        _inFlight = group;
        LsmStore store = _store;
        AppendSessionRecords(group, store.LastSequence + 1); // R11: in the same batch as the data
        if (_leader is not null)
        {
            group.Leadership = _leader;
            RegisterUncommitted(group, store.LastSequence + 1);
            ShipAtCommitStart(group, store.LastSequence + 1); // R12: followers write it while this WAL syncs
        }

        Task? gate = _commitGate;
        IActorRef self = Self;
        CommitThread io = IoThread;

        // This shard's commits are the store's only writes and run one at a time, so right after
        // Write returns, LastSequence is the sequence number of the group's last operation.
        Func<ulong> write = () =>
        {
            if (group.Batch.Count > 0)
            {
                store.Write(group.Batch); // a group of updates that wrote nothing only waits its turn
            }

            return store.LastSequence;
        };
        group.Commit = gate is null
            ? io.Run(write)
            : gate.ContinueWith(_ => io.Run(write), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
        group.Commit.ContinueWith(
            static (_, state) =>
            {
                var (self, group) = ((IActorRef, CommitGroup))state!;
                self.Tell(new CommitDone(group));
            },
            (self, group),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnCommitDone(CommitGroup group)
    {
        if (!ReferenceEquals(group, _inFlight))
        {
            return; // a commit of an earlier incarnation, already answered in its PostStop
        }

        _inFlight = null;
        if (group.Leadership is not null && !ReferenceEquals(group.Leadership, _leader))
        {
            // Committed locally by a leadership that has ended: never acknowledged (R1); the new
            // leader's log decides whether it survives (R5).
            _queue.Release(group);
            var lost = new Status.Failure(new ShardUnavailableException($"shard {Id} lost its leadership while the write was committing; it may or may not be applied"));
            foreach (PendingWrite w in group.Writes)
            {
                w.Reply(lost);
            }

            RunDeferred();
            StartCommitIfIdle();
            AssertInvariants();
            return;
        }

        if (group.Leadership is not null && group.Commit is not { IsCompletedSuccessfully: true })
        {
            // R12: the group's records were shipped when its commit started and followers may hold
            // them; this leadership must never write those sequence numbers again. It steps down,
            // the group is reported as not acknowledged, and the shard leads again only at a newer epoch.
            Exception failed = group.Commit?.Exception?.GetBaseException() ?? new TimeoutException("the commit did not finish");
            AbandonLeadership(group, failed);
            RunDeferred();
            if (failed is not ArgumentException)
            {
                // The store refuses writes after a failed WAL write: restart to reopen it.
                throw new InvalidOperationException($"shard {Id}'s store failed a group commit as leader; it stepped down and restarts to reopen the store", failed);
            }

            StartCheckpointIfIdle();
            AssertInvariants();
            return;
        }

        if (_leader is not null && group.Commit is { IsCompletedSuccessfully: true } committed)
        {
            // R1: answered once the high watermark covers the group (ShardActor.Leader.cs).
            group.LastSequence = committed.Result;
            OnLeaderCommitted(group);
            RunDeferred();
            StartCheckpointIfIdle();
            StartCommitIfIdle();
            AssertInvariants();
            return;
        }

        if (Answer(group, "failed to commit") is { } error and not ArgumentException)
        {
            // The store refuses writes after a failed WAL write: restart to reopen it. Waiting
            // writes are answered with ShardUnavailableException in PostStop.
            throw new InvalidOperationException($"shard {Id}'s store failed a group commit; restarting the shard to reopen it", error);
        }

        RunDeferred();
        StartCheckpointIfIdle();
        StartCommitIfIdle();
        AssertInvariants();
    }

    /// <summary>REQUIRES: called on the shard actor. Fails every write still waiting for a group commit (nothing of them was written).</summary>
    private void FailWaitingWrites(string why)
    {
        var refused = new Status.Failure(new ShardUnavailableException(why));
        foreach (PendingWrite w in _queue.TakeAllWaiting())
        {
            w.Reply(refused);
        }
    }

    /// <summary>REQUIRES: called on the shard actor while stopping. Waits for the running commit and answers it truthfully.</summary>
    private void AnswerInFlightCommit(string why)
    {
        CommitGroup? group = _inFlight;
        _inFlight = null;
        if (group is null)
        {
            return;
        }

        try
        {
            group.Commit?.Wait(_settings.RequestTimeout);
        }
        catch (AggregateException)
        {
            // Answered below from the task's state.
        }

        if (group.Leadership is not null)
        {
            // R1: on the leader's disk only, not on the in-sync replicas: never acknowledged here.
            _queue.Release(group);
            var unknown = new Status.Failure(new ShardUnavailableException($"shard {Id} {why} before the write reached its replicas; it may or may not be applied"));
            foreach (PendingWrite w in group.Writes)
            {
                w.Reply(unknown);
            }

            return;
        }

        Answer(group, why);
    }

    /// <summary>
    /// Acknowledges every write of a finished group with its sequence number, or fails them all
    /// (never a false acknowledgement: a commit that did not finish counts as failed). Returns the failure.
    /// </summary>
    private Exception? Answer(CommitGroup group, string why)
    {
        _queue.Release(group);
        Task<ulong>? commit = group.Commit;
        if (commit is { IsCompletedSuccessfully: true })
        {
            ulong sequence = commit.Result - (ulong)group.OpCount + 1;
            foreach (PendingWrite w in group.Writes)
            {
                w.Reply(w.IsUpdate ? new UpdateOutcome(w.Ops.Length > 0 ? sequence : null, w.Result) : sequence);
                sequence += (ulong)w.Ops.Length;
            }

            return null;
        }

        Exception error = commit?.Exception?.GetBaseException()
            ?? new TimeoutException($"shard {Id}'s commit did not finish within {_settings.RequestTimeout}");
        Exception answer = error is ArgumentException
            ? error
            : new ShardUnavailableException($"shard {Id} {why}; the write may not have been committed: {error.Message}", error);
        var failure = new Status.Failure(answer);
        foreach (PendingWrite w in group.Writes)
        {
            w.Reply(failure);
        }

        return error;
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. Why a write or update must be refused before anything is
    /// written: the shard is not led here, or (R1) the in-sync set is below min-insync-replicas; null
    /// to accept it.
    /// </summary>
    private Exception? WriteRefusal() =>
        RefusesClients
            ? new ShardUnavailableException($"shard {Id} is not led by this node ({_role}); nothing was written")
            : _leader is { } leader && leader.CommittedInSync.Count < leader.MinInSync
                ? new NotEnoughReplicasException(
                    $"shard {Id}: the in-sync set [{string.Join(", ", leader.CommittedInSync)}] has {leader.CommittedInSync.Count} members, below min-insync-replicas {leader.MinInSync}; nothing was written")
                : null;
}
