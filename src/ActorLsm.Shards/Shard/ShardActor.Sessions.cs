using ActorLsm.Shards.Sessions;
using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// Client sessions: exactly-once writes (src/ActorLsm.Cluster/PROTOCOL.md, R11; Raft's client sessions,
/// Kafka's idempotent producer). A write carrying a <see cref="WriteSession"/> is applied at most once per
/// (client id, sequence): a resend of an applied write gets the original reply (once the high watermark
/// covers it), a resend of a write still queued or committing joins it and gets the same reply. The
/// outcomes live in one record per client under a reserved key (Sessions/FORMAT.md) that each group
/// commit writes in the same batch as the data, so they replicate, recover and travel in snapshots with
/// it; the leader keeps a cache of them, dropped whenever its leadership or store changes.
/// </summary>
internal sealed partial class ShardActor
{
    private SessionTable? _sessionTable;

    /// <summary>REQUIRES: called on the shard actor with an open store. The session cache of the current leadership (or store).</summary>
    private SessionTable SessionCache
    {
        get
        {
            _sessionTable ??= new SessionTable(maxCached: 10_000);
            object owner = (object?)_leader ?? Store;
            if (!ReferenceEquals(_sessionTable.Owner, owner))
            {
                _sessionTable.Clear(owner);
            }

            return _sessionTable;
        }
    }

    /// <summary>
    /// REQUIRES: called on the shard actor with an open store, after the request was validated and the
    /// shard accepts writes. Answers a resend (or joins it to the write in flight) and returns true, or
    /// refuses the write (too old, session bound) and returns true; returns false for a write to apply,
    /// with the session's floor raised to the request's.
    /// </summary>
    private bool HandledBySession(WriteSession session, bool isUpdate, IActorRef replyTo)
    {
        ClientSessionState state = SessionOf(session.ClientId);
        bool known = state.ExpiresAtMs is not null || state.InFlight.Count > 0 || state.Written.Count > 0;
        state.RaiseFloor(session.FirstUnacknowledged);
        if (session.Sequence < state.Floor)
        {
            replyTo.Tell(new Status.Failure(new SessionExpiredException(
                $"shard {Id}: write {session.Sequence} of client {session.ClientId} is below the session's first unacknowledged sequence {state.Floor}; its outcome is no longer kept (it may or may not have been applied); nothing was written")));
            return true;
        }

        if (state.InFlight.TryGetValue(session.Sequence, out SessionWrite? inFlight) && !inFlight.Answered)
        {
            (inFlight.Duplicates ??= []).Add(replyTo); // answered with the original's reply
            return true;
        }

        if (state.Written.TryGetValue(session.Sequence, out SessionOutcome outcome))
        {
            if (outcome.HasResult != isUpdate)
            {
                replyTo.Tell(new Status.Failure(new ArgumentException(
                    $"write {session.Sequence} of client {session.ClientId} was applied as {(outcome.HasResult ? "an update" : "a write")}; a resend must repeat the same request; nothing was written")));
                return true;
            }

            ReplyFromSession(outcome.Reply, state.RecordSequence, replyTo);
            return true;
        }

        if (!known && session.ResendAgeMs >= (long)(_settings.SessionIdleTimeout.TotalMilliseconds / 2))
        {
            replyTo.Tell(new Status.Failure(new SessionExpiredException(
                $"shard {Id}: write {session.Sequence} of client {session.ClientId} is resent {session.ResendAgeMs} ms after its first send and the shard holds no state of the session (idle timeout {_settings.SessionIdleTimeout}); it may or may not have been applied; nothing was written")));
            return true;
        }

        state.ForgetAnswered();
        if (state.Unacknowledged >= _settings.MaxSessionUnacknowledged)
        {
            replyTo.Tell(new Status.Failure(new OverloadedException(
                $"shard {Id}: client {session.ClientId} has {state.Unacknowledged} writes at or above its first unacknowledged sequence {state.Floor}, the limit is {_settings.MaxSessionUnacknowledged}; nothing was written")));
            return true;
        }

        return false;
    }

    /// <summary>REQUIRES: called on the shard actor right after <paramref name="write"/> (new, of a session) was queued.</summary>
    private void RegisterSessionWrite(SessionWrite write) =>
        SessionOf(write.Session.ClientId).InFlight[write.Session.Sequence] = write;

    /// <summary>
    /// REQUIRES: called on the shard actor with an open store. The client's session: cached, else read
    /// from its record (absent or expired: an empty session).
    /// </summary>
    private ClientSessionState SessionOf(Guid clientId)
    {
        SessionTable table = SessionCache;
        LsmStore store = Store;
        long nowMs = store.UtcNow.ToUnixTimeMilliseconds();
        if (table.Find(clientId) is { } cached)
        {
            if (cached.ExpiresAtMs is not { } expires || expires > nowMs || cached.InFlight.Values.Any(w => !w.Answered))
            {
                return cached;
            }

            table.Remove(clientId); // the record expired: as the store now says, the session is unknown
        }

        ClientSessionState state;
        if (store.GetWithExpiry(SessionKeys.Of(clientId)) is { } record)
        {
            (ulong floor, SortedDictionary<ulong, SessionOutcome> written) = SessionRecord.Decode(record.Value);
            state = new ClientSessionState(clientId, floor, written, record.ExpiresAt?.ToUnixTimeMilliseconds() ?? long.MaxValue);
        }
        else
        {
            state = new ClientSessionState(clientId, 0, [], null);
        }

        table.Add(state);
        return state;
    }

    /// <summary>
    /// REQUIRES: called on the shard actor. Sends a kept reply once the high watermark covers the
    /// session's record (and, on a new leader, its log end at takeover: R7's fence).
    /// </summary>
    private void ReplyFromSession(object reply, ulong recordSequence, IActorRef replyTo)
    {
        if (_leader is { } state)
        {
            ulong needed = Math.Max(state.ReadFence, recordSequence);
            if (needed > state.HighWatermark)
            {
                state.Parked.Enqueue((new SessionReply(reply), replyTo), needed);
                return;
            }
        }

        replyTo.Tell(reply);
    }

    /// <summary>
    /// REQUIRES: called on the shard actor just before <paramref name="group"/>'s commit starts, with
    /// <paramref name="first"/> the sequence its first operation gets. Records the outcome of each
    /// session write of the group and appends, after the writes' operations, one put per client of the
    /// group: its session record with the new outcomes and an expiry of the idle timeout from now.
    /// </summary>
    private void AppendSessionRecords(CommitGroup group, ulong first)
    {
        List<ClientSessionState>? touched = null;
        ulong sequence = first;
        foreach (PendingWrite w in group.Writes)
        {
            if (w.Session is { } write && w.Ops.Length > 0)
            {
                ClientSessionState state = SessionOf(write.Session.ClientId);
                if (write.Session.Sequence >= state.Floor)
                {
                    state.Written[write.Session.Sequence] = new SessionOutcome(sequence, w.IsUpdate, w.IsUpdate ? w.Result : null);
                }

                touched ??= [];
                if (!touched.Contains(state))
                {
                    touched.Add(state);
                }
            }

            sequence += (ulong)w.Ops.Length;
        }

        if (touched is null)
        {
            return;
        }

        DateTimeOffset expires = Store.UtcNow + _settings.SessionIdleTimeout;
        foreach (ClientSessionState state in touched)
        {
            group.Batch.Put(SessionKeys.Of(state.ClientId), SessionRecord.Encode(state.Floor, state.Written), expires);
            state.ExpiresAtMs = expires.ToUnixTimeMilliseconds();
            state.RecordSequence = first + (ulong)group.Batch.Count - 1;
            state.AssertInvariants();
        }
    }

    /// <summary>A kept reply of a resend, parked until the high watermark covers its session record.</summary>
    private sealed record SessionReply(object Reply);
}
