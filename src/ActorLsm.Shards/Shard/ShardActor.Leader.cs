using System.Diagnostics;
using ActorLsm.Shards.Layout;
using ActorLsm.Shards.Replication;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Event;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// Roles and the leader side of replication (src/ActorLsm.Cluster/PROTOCOL.md). A leader commits
/// a group to its own WAL as before, then holds the answers until the high watermark (the last
/// sequence durable on every in-sync replica) covers the group (R1), and refuses writes while
/// the in-sync set is below min-insync-replicas (R1). Reads of keys with writes above the high
/// watermark, and every read before the high watermark reaches the leader's log end at takeover,
/// wait for it (R7). Replicators (children, one per follower) stream the records.
/// </summary>
internal sealed partial class ShardActor
{
    private const string InSyncTimerKey = "in-sync";
    private const string LeaderFenceTimerKey = "leader-fence";
    private const string SupportFenceTimerKey = "support-fence";
    private const string ResignTimerKey = "resign";
    private ReplicaRole? _role;
    private LeaderState? _leader;

    // R10: a leadership this replica was given but takes only once its support fence has passed;
    // client requests wait in the stash until then (or until another role replaces it).
    private LeaderRole? _fencedLeadership;
    private LeaderEpochCache? _epochs;
    private ReplicationLog? _recent;
    private int _replicatorGeneration;
    private readonly List<IActorRef> _checkpointWaiting = [];
    private bool _checkpointRunning;

    private ShardReplicationOptions? Replication => _settings.Replication;

    /// <summary>
    /// True when the current follower-side message must wait (it is stashed, with its sender): a
    /// commit or checkpoint of an ended leadership, or a follower append, still uses the store, and
    /// truncation, appends and snapshot installs must not run beside it. Stashed messages survive a restart (Akka unstashes
    /// them into the mailbox before the new instance starts).
    /// </summary>
    private bool MustDefer()
    {
        if (_inFlight is null && !_checkpointRunning && _appendInFlight is null)
        {
            return false;
        }

        Stash.Stash();
        return true;
    }

    /// <summary>REQUIRES: called on the shard actor once no commit, checkpoint or follower append runs: puts the deferred follower-side messages back at the head of the mailbox, in order.</summary>
    private void RunDeferred()
    {
        if (_inFlight is null && !_checkpointRunning && _appendInFlight is null)
        {
            Stash.UnstashAll();
        }
    }

    /// <summary>True when client requests must be refused: the shard has a role and it is not leader.</summary>
    private bool RefusesClients => _role is not null and not LeaderRole;

    private void OnSetRole(SetRole set)
    {
        ReplicaRole role = set.Role;
        if (Replication is null)
        {
            Log.Warning("shard {Id}: a replica role arrived but replication is not configured; ignored", Id);
            return;
        }

        if (_role is not null && role.Epoch < _role.Epoch)
        {
            return; // an older map
        }

        if (role is LeaderRole abandoned && abandoned.Epoch <= _handle.AbandonedLeaderEpoch)
        {
            // R12: this replica's commit failed while it led this epoch; followers may hold records it
            // lost, so it must not write those sequence numbers again at this epoch. It stays offline and
            // asks for a leader at a newer epoch.
            StepDown($"its commit failed at epoch {abandoned.Epoch}");
            role = new OfflineRole(abandoned.Epoch, abandoned.Self);
            ResignAbandonedLeadership();
        }
        else
        {
            Timers.Cancel(ResignTimerKey);
        }

        // A newer role replaces a leadership still waiting for its fence (the timer would bring back a stale role).
        bool wasFenced = _fencedLeadership is not null;
        _fencedLeadership = null;
        Timers.Cancel(LeaderFenceTimerKey);
        switch (role)
        {
            case LeaderRole leader when _leader is not null && _leader.Epoch == leader.Epoch:
                UpdateLeader(leader);
                break;
            case LeaderRole leader when SupportFenceLeft(leader.Epoch) is { } left && left > TimeSpan.Zero:
                // R10: this replica acknowledged the previous leader less than 1.1 x the read lease ago;
                // that leader may still serve reads. Take the leadership once the fence has passed; the
                // client requests that arrive meanwhile wait for it (stashed) instead of failing, since the
                // shard map already names this node the leader.
                StepDown($"leadership moved to epoch {leader.Epoch}, taken in {left.TotalMilliseconds:F0} ms (read lease fence)");
                _role = new OfflineRole(leader.Epoch, leader.Self);
                _fencedLeadership = leader;
                Timers.StartSingleTimer(LeaderFenceTimerKey, set, left);
                break;
            case LeaderRole leader:
                StepDown($"leadership moved to epoch {leader.Epoch}");
                _role = role;
                BecomeLeader(leader);
                break;
            default:
                StepDown(role is FollowerRole f ? $"it now follows {f.Leader} at epoch {f.Epoch}" : $"it no longer serves the shard (epoch {role.Epoch})");
                _role = role;
                break;
        }

        if (wasFenced && _fencedLeadership is null)
        {
            // The client requests held for the fenced leadership: served now as leader, or refused
            // (another role). Deferred follower messages come back too and are deferred again if need be.
            Stash.UnstashAll();
        }

        AssertInvariants();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. True (and the request is stashed with its sender) while a
    /// leadership given to this replica waits for the R10 support fence: the request is served once
    /// the leadership is taken, at most 1.1 x read-lease later, or refused if another role comes first.
    /// </summary>
    private bool HoldsForFencedLeadership()
    {
        if (_fencedLeadership is null)
        {
            return false;
        }

        Stash.Stash();
        return true;
    }

    /// <summary>REQUIRES: called on the shard actor with an open store and no leader state.</summary>
    private void BecomeLeader(LeaderRole role)
    {
        ShardReplicationOptions options = Replication!;
        LsmStore store = Store;
        _assembly = null; // R14: a record a former leader was sending in pieces is not this log's
        _epochs!.Assign(role.Epoch, store.LastSequence + 1);
        _recent = new ReplicationLog(options.RecentLogBytes);
        var state = new LeaderState(role, role.Self, store.LastSequence);
        _leader = state;
        StartReplicators(role.Followers);
        state.Advance();
        Timers.StartPeriodicTimer(InSyncTimerKey, InSyncTick.Instance, options.HeartbeatInterval);
        Log.Info("shard {Id}: leader at epoch {Epoch}, last sequence {Last}, in-sync [{InSync}]", Id, role.Epoch, store.LastSequence, string.Join(", ", state.CommittedInSync));
        AfterHighWatermarkMoved();
    }

    private void StartReplicators(IReadOnlyList<ReplicaPeer> followers)
    {
        LeaderState state = _leader!;
        foreach (ReplicaPeer peer in followers)
        {
            if (peer.Node == state.Self || state.Followers.ContainsKey(peer.Node))
            {
                continue;
            }

            string name = $"replicator-{_replicatorGeneration++}";
            IReadOnlyList<(long, ulong)> epochs = [.. _epochs!.Entries];
            LsmStore store = Store;
            ReplicationLog log = _recent!;
            ShardReplicationOptions options = Replication!;
            int id = Id;
            long epoch = state.Epoch;
            string self = state.Self;
            IActorRef replicator = Context.ActorOf(ReplicatorActor.Props(id, epoch, self, peer, store, log, epochs, options, _settings.Dispatcher, state.LocalWritten), name);
            // A follower outside the committed in-sync set must prove it is caught up (an ack showing it
            // had all the leader had) before it is proposed (R3); members get the lag time as grace.
            long since = state.CommittedInSync.Contains(peer.Node) ? Stopwatch.GetTimestamp() : 0;
            state.Followers[peer.Node] = new FollowerProgress(peer.Node, replicator, since);
        }
    }

    /// <summary>REQUIRES: called on the shard actor; a map of the same epoch changed the in-sync set or the followers.</summary>
    private void UpdateLeader(LeaderRole role)
    {
        LeaderState state = _leader!;
        _role = role;
        state.MinInSync = role.MinInSync;
        state.CommittedInSync = [.. role.InSync];
        state.CommittedInSync.Add(state.Self);
        state.PendingAdds.ExceptWith(state.CommittedInSync);
        foreach (string gone in state.Followers.Keys.Where(n => role.Followers.All(p => p.Node != n)).ToArray())
        {
            Context.Stop(state.Followers[gone].Replicator);
            state.Followers.Remove(gone);
            state.PendingAdds.Remove(gone);
        }

        StartReplicators(role.Followers);
        state.Advance();
        AfterHighWatermarkMoved(); // a smaller set may move the high watermark, or make it too small to acknowledge
        ServeLeaseWaiters(); // a smaller set may restore the read lease (R10)
    }

    /// <summary>
    /// Ends leadership (if any): first the store is withdrawn from reads on callers' threads (R13: no
    /// direct read is served by an ended leadership), then waiting writes and parked reads fail as
    /// unavailable; replicators stop.
    /// </summary>
    private void StepDown(string why)
    {
        LeaderState? state = _leader;
        if (state is null)
        {
            return;
        }

        if (state.DirectReadsPublished)
        {
            _handle.Reads.Withdraw(); // R13: before anything else; waits for the direct reads inside
            state.DirectReadsPublished = false;
        }

        _leader = null;
        Timers.Cancel(InSyncTimerKey);
        foreach (FollowerProgress f in state.Followers.Values)
        {
            Context.Stop(f.Replicator);
        }

        // Writes not yet committed were never written: refused. The running commit, if any, is
        // answered when it finishes (OnCommitDone sees its leadership ended).
        FailWaitingWrites($"shard {Id} is no longer the leader ({why}); nothing was written");
        var failure = new Status.Failure(new ShardUnavailableException($"shard {Id} is no longer the leader ({why}); the write may or may not have been applied"));
        while (state.Awaiting.TryDequeue(out CommitGroup? group))
        {
            _queue.Release(group);
            foreach (PendingWrite w in group.Writes)
            {
                w.Reply(failure);
            }
        }

        var readFailure = new Status.Failure(new ShardUnavailableException($"shard {Id} is no longer the leader ({why})"));
        while (state.Parked.TryDequeue(out (object Request, IActorRef ReplyTo) parked, out _))
        {
            parked.ReplyTo.Tell(readFailure);
        }

        while (state.AwaitingLease.TryDequeue(out (object Request, IActorRef ReplyTo) waiting))
        {
            waiting.ReplyTo.Tell(readFailure);
        }

        Log.Info("shard {Id}: stepped down from epoch {Epoch}: {Why}", Id, state.Epoch, why);
    }

    /// <summary>
    /// REQUIRES: called on the shard actor while leading, just before <paramref name="group"/>'s commit
    /// starts (no other commit runs, so its first sequence is the store's last + 1). Its keys count
    /// as written above the high watermark from now on: reads of them wait (R7).
    /// </summary>
    private void RegisterUncommitted(CommitGroup group, ulong first)
    {
        LeaderState state = _leader!;
        ulong sequence = first;
        foreach (PendingWrite w in group.Writes)
        {
            foreach (BatchOperation op in w.Ops)
            {
                state.Uncommitted[op.Key] = sequence;
                state.UncommittedOrder.Enqueue((sequence, op.Key));
                sequence++;
            }
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor while leading, when <paramref name="group"/>'s commit starts
    /// (before the commit thread writes and syncs it; no other commit runs, so its first sequence is
    /// <paramref name="first"/> = the store's last + 1). R12: hands the group's records to the
    /// replicators now, so that the followers write and sync them while the leader's own WAL syncs
    /// (Kafka's followers fetch what the leader has written, synced or not). The high watermark still
    /// waits for the leader's sync (R2); a failed commit makes the leader step down (AbandonLeadership).
    /// </summary>
    private void ShipAtCommitStart(CommitGroup group, ulong first)
    {
        LeaderState state = _leader!;
        if (group.OpCount == 0)
        {
            return; // updates that wrote nothing take no sequence numbers
        }

        // The bytes of the WAL record the commit thread is about to write (the header's sequence is
        // stamped by the store and ignored by replicas): copied here, before the commit thread touches the batch.
        _recent!.Append(new LogRecord(first, group.OpCount, group.Batch.ToBytes()));
        state.LocalWritten = first + (ulong)group.OpCount - 1;
        var available = new RecordsAvailable(state.LocalWritten, state.HighWatermark);
        foreach (FollowerProgress f in state.Followers.Values)
        {
            f.Replicator.Tell(available);
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor; <paramref name="group"/>'s commit failed under the leadership it
    /// was started by (its records may already be on followers, R12). Ends that leadership for good: the
    /// group and every write waiting behind it are reported as not acknowledged, the epoch is remembered
    /// in the shard's handle (so a restarted shard actor does not take it back from the re-applied role),
    /// and the version manager is asked to name a leader at a newer epoch. The followers' copies of the
    /// lost records are then dropped by the next leader's truncation (R5): they were never acknowledged.
    /// </summary>
    private void AbandonLeadership(CommitGroup group, Exception error)
    {
        LeaderState lost = group.Leadership!;
        _queue.Release(group);
        var failure = new Status.Failure(new ShardUnavailableException(
            $"shard {Id}'s leader failed to write or sync its WAL ({error.Message}); the write was not acknowledged and may or may not be applied", error));
        foreach (PendingWrite w in group.Writes)
        {
            w.Reply(failure);
        }

        _handle.AbandonedLeaderEpoch = Math.Max(_handle.AbandonedLeaderEpoch, lost.Epoch);
        if (ReferenceEquals(lost, _leader))
        {
            StepDown($"its WAL write or sync failed at epoch {lost.Epoch}: {error.Message}");
            _role = new OfflineRole(lost.Epoch, lost.Self);
        }

        Log.Error(error, "shard {Id}: group commit failed while leading epoch {Epoch}; stepped down and leads again only at a newer epoch (R12)", Id, lost.Epoch);
        ResignAbandonedLeadership();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. R12: while the shard map still names this node the leader at an
    /// epoch it abandoned, asks the version manager (an in-sync proposal without the leader) to name a leader
    /// at a newer epoch, again every resend-timeout until a newer role arrives.
    /// </summary>
    private void ResignAbandonedLeadership()
    {
        if (Replication is not { } options || _handle.Role is not LeaderRole role || role.Epoch > _handle.AbandonedLeaderEpoch)
        {
            Timers.Cancel(ResignTimerKey);
            return;
        }

        options.ProposeInSync?.Invoke(Id, role.Epoch, [.. role.InSync.Where(n => n != role.Self)]);
        if (!Timers.IsTimerActive(ResignTimerKey))
        {
            Timers.StartPeriodicTimer(ResignTimerKey, ResignTick.Instance, options.ResendTimeout);
        }
    }

    /// <summary>REQUIRES: called on the shard actor for a successful group commit while leading.</summary>
    private void OnLeaderCommitted(CommitGroup group)
    {
        LeaderState state = _leader!;
        System.Diagnostics.Debug.Assert(group.OpCount == 0 || group.LastSequence <= state.LocalWritten, "a group is shipped when its commit starts (R12)");
        state.LocalDurable = group.LastSequence;
        state.Awaiting.Enqueue(group);
        if (state.Advance())
        {
            AfterHighWatermarkMoved(); // the followers had acknowledged it before the leader's own sync ended
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor while leading. Publishes the high watermark to the
    /// replicators (through the shared log: they put it in their next append or heartbeat; new
    /// records reach them when a commit starts, ShipAtCommitStart); answers the groups the high
    /// watermark covers (R1: with NotEnoughReplicas when the in-sync set is below the minimum);
    /// serves the reads it unparks.
    /// </summary>
    private void AfterHighWatermarkMoved()
    {
        LeaderState state = _leader!;
        PublishReadBound(state); // R13: before any write the move covers is answered
        _recent!.RaiseHighWatermark(state.HighWatermark);

        bool enough = state.CommittedInSync.Count >= state.MinInSync;
        while (state.Awaiting.TryPeek(out CommitGroup? group) && group.LastSequence <= state.HighWatermark)
        {
            state.Awaiting.Dequeue();
            if (enough)
            {
                Answer(group, "committed");
            }
            else
            {
                _queue.Release(group);
                var failure = new Status.Failure(new NotEnoughReplicasException(
                    $"shard {Id}: the in-sync set [{string.Join(", ", state.CommittedInSync)}] is below min-insync-replicas {state.MinInSync}; the write was not acknowledged and may or may not be applied"));
                foreach (PendingWrite w in group.Writes)
                {
                    w.Reply(failure);
                }
            }
        }

        bool leased = state.Parked.Count == 0 || state.HoldsLease(Stopwatch.GetTimestamp(), Replication!.ReadLease);
        while (state.Parked.TryPeek(out (object Request, IActorRef ReplyTo) parked, out ulong needed) && needed <= state.HighWatermark)
        {
            state.Parked.Dequeue();
            if (leased)
            {
                ServeRead(parked.Request, parked.ReplyTo);
            }
            else
            {
                state.AwaitingLease.Enqueue(parked); // R10: the lease ran out while it waited for the high watermark
            }
        }
    }

    private void OnFollowerAcked(FollowerAcked acked)
    {
        if (_leader is not { } state || !state.Followers.TryGetValue(acked.Node, out FollowerProgress? f) || !Sender.Path.Equals(f.Replicator.Path))
        {
            return;
        }

        // Capped at the leader's log end as shipped; the high watermark is further capped at the
        // leader's durable end (R2, R12), so an acknowledgement ahead of the leader's sync waits for it.
        f.Acked = Math.Min(acked.Acked, state.LocalWritten);
        if (acked.CaughtUpTicks != 0)
        {
            f.LastCaughtUpTicks = Math.Max(f.LastCaughtUpTicks, acked.CaughtUpTicks);
            f.CaughtUp = true;
        }

        f.LeaseTicks = Math.Max(f.LeaseTicks, acked.SentTicks);
        state.ReadBound.SetLeaseExpiry(state.LeaseExpiry(Replication!.ReadLease)); // R13: the renewed lease
        if (state.Advance())
        {
            AfterHighWatermarkMoved();
        }

        ServeLeaseWaiters();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor while leading, whenever the high watermark or the in-sync set
    /// moved, and before any write the high watermark now covers is answered. R13: publishes the high
    /// watermark and the lease expiry for reads on callers' threads, and publishes the store with them
    /// once the high watermark has reached the takeover fence (R7); a read after an acknowledged write
    /// therefore sees a high watermark that covers it.
    /// </summary>
    private void PublishReadBound(LeaderState state)
    {
        LeaderReadBound bound = state.ReadBound;
        bound.RaiseHighWatermark(state.HighWatermark);
        bound.SetLeaseExpiry(state.LeaseExpiry(Replication!.ReadLease));
        if (!state.DirectReadsPublished && state.HighWatermark >= state.ReadFence && Replication!.LeaderDirectReads)
        {
            _handle.Reads.Publish(Store, bound);
            state.DirectReadsPublished = true;
        }
    }

    /// <summary>REQUIRES: called on the shard actor. Serves the reads that waited for the read lease once the leader holds it again (R10).</summary>
    private void ServeLeaseWaiters()
    {
        if (_leader is not { } state || state.AwaitingLease.Count == 0 || !state.HoldsLease(Stopwatch.GetTimestamp(), Replication!.ReadLease))
        {
            return;
        }

        int count = state.AwaitingLease.Count;
        for (int i = 0; i < count && _leader == state; i++)
        {
            (object request, IActorRef replyTo) = state.AwaitingLease.Dequeue();
            OnRead(request, replyTo);
        }
    }

    private void OnFollowerRejected(FollowerRejected rejected)
    {
        if (_leader is { } state && state.Followers.TryGetValue(rejected.Node, out FollowerProgress? f) && Sender.Path.Equals(f.Replicator.Path) && rejected.Epoch > state.Epoch)
        {
            // R4: a replica follows a newer epoch, so a newer leader exists: this one must not acknowledge anything more.
            StepDown($"follower {rejected.Node} follows epoch {rejected.Epoch}");
            _role = new OfflineRole(rejected.Epoch, state.Self);
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor while leading. Proposes the in-sync set of the followers
    /// caught up within replica-lag-time-max (Kafka's ISR rule); an added follower counts for the
    /// high watermark from the proposal on, a removed one until the map drops it (R3).
    /// </summary>
    private void OnInSyncTick()
    {
        if (_leader is not { } state || Replication is not { } options || options.ProposeInSync is null)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();

        // Joining needs fresh proof (an ack of the last few heartbeats), so that a follower that
        // just died is not proposed back; staying needs an ack within replica-lag-time-max.
        TimeSpan joinWindow = TimeSpan.FromTicks(Math.Min(options.ReplicaLagTimeMax.Ticks, options.HeartbeatInterval.Ticks * 5));
        var desired = new SortedSet<string>(StringComparer.Ordinal) { state.Self };
        foreach (FollowerProgress f in state.Followers.Values)
        {
            TimeSpan since = f.LastCaughtUpTicks == 0 ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(f.LastCaughtUpTicks, now);
            bool stays = state.CommittedInSync.Contains(f.Node) && since <= options.ReplicaLagTimeMax;
            bool joins = f.CaughtUp && f.Acked >= state.HighWatermark && since <= joinWindow;
            if (stays || joins || (state.PendingAdds.Contains(f.Node) && since <= options.ReplicaLagTimeMax))
            {
                desired.Add(f.Node);
            }
        }

        // A proposed follower that went silent for the lag time stops counting. (If the version
        // manager applied the proposal meanwhile, the next map counts it again.)
        state.PendingAdds.IntersectWith(desired);
        if (desired.SetEquals(state.CommittedInSync))
        {
            return;
        }

        string key = string.Join(",", desired);
        if (state.LastProposal.Set == key && Stopwatch.GetElapsedTime(state.LastProposal.Ticks, now) < options.ResendTimeout)
        {
            return;
        }

        foreach (string added in desired.Except(state.CommittedInSync))
        {
            state.PendingAdds.Add(added);
        }

        state.LastProposal = (key, now);
        Log.Info("shard {Id}: proposing in-sync set [{Set}] (now [{Committed}])", Id, key, string.Join(", ", state.CommittedInSync));
        options.ProposeInSync(Id, state.Epoch, [.. desired]);
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. Serves a get or scan now, or parks it until the high
    /// watermark covers every write it could see (R7). Non-leaders refuse.
    /// </summary>
    private void OnRead(object request, IActorRef replyTo)
    {
        if (RefusesClients)
        {
            replyTo.Tell(new Status.Failure(new ShardUnavailableException($"shard {Id} is not led by this node ({_role})")));
            return;
        }

        if (_leader is { } state)
        {
            if (!state.HoldsLease(Stopwatch.GetTimestamp(), Replication!.ReadLease))
            {
                state.AwaitingLease.Enqueue((request, replyTo)); // R10: served when fresh acknowledgements renew the lease
                return;
            }

            ulong needed = state.ReadFence;
            if (request is GetRequest get && state.Uncommitted.TryGetValue(get.Key, out ulong seq))
            {
                needed = Math.Max(needed, seq);
            }
            else if (request is MultiGetRequest many)
            {
                foreach (byte[] key in many.Keys)
                {
                    if (state.Uncommitted.TryGetValue(key, out ulong keySeq))
                    {
                        needed = Math.Max(needed, keySeq);
                    }
                }
            }
            else if (request is ScanRequest)
            {
                needed = Math.Max(needed, state.LocalDurable + (ulong)(_inFlight?.OpCount ?? 0));
            }

            if (needed > state.HighWatermark)
            {
                state.Parked.Enqueue((request, replyTo), needed);
                return;
            }
        }

        ServeRead(request, replyTo);
    }

    private void ServeRead(object request, IActorRef replyTo)
    {
        switch (request)
        {
            case GetRequest get:
                OnGet(get, replyTo);
                break;
            case MultiGetRequest many:
                OnMultiGet(many, replyTo);
                break;
            case ScanRequest scan:
                OnScan(scan, replyTo);
                break;
            case SessionReply kept:
                replyTo.Tell(kept.Reply); // R11: a resend's kept reply, once the high watermark covers it
                break;
        }
    }

    /// <summary>
    /// Pauses commits and makes a checkpoint of the store for a snapshot transfer (REQUIRES: called on
    /// the shard actor). One checkpoint serves every replicator that asked while it ran.
    /// </summary>
    private void OnCheckpointRequest(CheckpointRequest request)
    {
        _checkpointWaiting.Add(request.ReplyTo);
        StartCheckpointIfIdle();
    }

    private void StartCheckpointIfIdle()
    {
        if (_checkpointRunning || _checkpointWaiting.Count == 0 || _inFlight is not null || _store is null)
        {
            return;
        }

        _checkpointRunning = true;
        string dir = Path.Combine(_settings.DataDir, "snapshots", NodeMetadata.ShardName(Id) + "-" + Guid.NewGuid().ToString("N"));
        LsmStore store = _store;
        IActorRef self = Self;
        IActorRef[] waiting = [.. _checkpointWaiting];
        _checkpointWaiting.Clear();
        Task<ulong> task = IoThread.Run(() =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            return store.CreateCheckpoint(dir);
        });
        task.ContinueWith(t => self.Tell(new CheckpointFinished(dir, t, waiting)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnCheckpointFinished(CheckpointFinished done)
    {
        _checkpointRunning = false;
        RunDeferred();
        IReadOnlyList<(long, ulong)> epochs = [.. _epochs!.Entries];
        foreach (IActorRef r in done.Waiting)
        {
            if (done.Task.IsCompletedSuccessfully)
            {
                // Each replicator deletes its copy when done: give each its own directory.
                string copy = done.Waiting.Count == 1 ? done.Directory : CopyDirectory(done.Directory);
                r.Tell(new CheckpointReady(copy, done.Task.Result, [.. epochs.Where(e => e.Item2 <= done.Task.Result + 1)], null));
            }
            else
            {
                r.Tell(new CheckpointReady(null, 0, [], done.Task.Exception?.GetBaseException().Message ?? "checkpoint failed"));
            }
        }

        if (done.Waiting.Count > 1 && Directory.Exists(done.Directory))
        {
            Directory.Delete(done.Directory, recursive: true);
        }

        StartCheckpointIfIdle();
        StartCommitIfIdle();
    }

    private static string CopyDirectory(string source)
    {
        string target = source + "-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }
}
