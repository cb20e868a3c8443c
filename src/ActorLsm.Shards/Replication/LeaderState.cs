using System.Diagnostics;
using ActorLsm.Shards.Shard;
using Akka.Actor;

namespace ActorLsm.Shards.Replication;

/// <summary>
/// What a leader shard tracks while it leads one epoch: each follower's acknowledged sequence, the
/// committed in-sync set (from the shard map) and the followers it proposed to add, the high
/// watermark, the groups waiting for it, the keys with writes above it, and the reads parked
/// until it passes them. Owned by the shard actor (not thread-safe).
/// </summary>
internal sealed class LeaderState
{
    public LeaderState(LeaderRole role, string self, ulong lastSequence)
    {
        Epoch = role.Epoch;
        Self = self;
        MinInSync = role.MinInSync;
        LocalDurable = lastSequence;
        LocalWritten = lastSequence;
        ReadFence = lastSequence;
        CommittedInSync = [.. role.InSync];
        CommittedInSync.Add(self);
        ReadBound = new LeaderReadBound(role.Epoch);
    }

    public long Epoch { get; }

    public string Self { get; }

    public int MinInSync { get; set; }

    /// <summary>Followers by node name.</summary>
    public Dictionary<string, FollowerProgress> Followers { get; } = new(StringComparer.Ordinal);

    /// <summary>The in-sync set of the latest shard map (the leader included).</summary>
    public HashSet<string> CommittedInSync { get; set; }

    /// <summary>Followers proposed for the set and not yet in a map: counted for the high watermark at once (R3).</summary>
    public HashSet<string> PendingAdds { get; } = new(StringComparer.Ordinal);

    /// <summary>The last in-sync proposal and when it was sent (Stopwatch ticks).</summary>
    public (string Set, long Ticks) LastProposal { get; set; }

    /// <summary>Last sequence durable on the leader's own disk (its group commit's WAL sync returned).</summary>
    public ulong LocalDurable { get; set; }

    /// <summary>
    /// Last sequence of the leader's log as handed to the replicators: a group's records are shipped
    /// when its commit starts, before the leader's own WAL sync ends (R12), so this runs ahead of
    /// <see cref="LocalDurable"/> by at most the group in flight. Followers' acknowledgements are
    /// capped at it; the high watermark is capped at <see cref="LocalDurable"/> (R2).
    /// </summary>
    public ulong LocalWritten { get; set; }

    /// <summary>
    /// Highest sequence durable on every member of <see cref="CommittedInSync"/> and <see cref="PendingAdds"/>;
    /// never decreases (R2).
    /// </summary>
    public ulong HighWatermark { get; set; }

    /// <summary>The leader's last sequence when it took over: reads wait until the high watermark reaches it (R7).</summary>
    public ulong ReadFence { get; }

    /// <summary>Committed groups waiting for the high watermark, oldest first.</summary>
    public Queue<CommitGroup> Awaiting { get; } = new();

    /// <summary>For each key with a write above the high watermark, the sequence of its latest such write.</summary>
    public Dictionary<byte[], ulong> Uncommitted { get; } = new(KeyComparer.Instance);

    /// <summary>The same writes in sequence order, to clear <see cref="Uncommitted"/> as the high watermark moves.</summary>
    public Queue<(ulong Sequence, byte[] Key)> UncommittedOrder { get; } = new();

    /// <summary>Reads waiting for the read lease (R10), in arrival order.</summary>
    public Queue<(object Request, IActorRef ReplyTo)> AwaitingLease { get; } = new();

    /// <summary>Reads waiting for the high watermark to reach their sequence.</summary>
    public PriorityQueue<(object Request, IActorRef ReplyTo), ulong> Parked { get; } = new();

    /// <summary>
    /// Recomputes the high watermark over the committed in-sync set and the pending additions (runs on
    /// every acknowledgement and commit: no allocation); returns true when it moved. The leader's own
    /// part is its durable end, not what it shipped (R2, R12): a follower that acknowledged a group
    /// the leader is still syncing does not move the high watermark past the leader's synced log.
    /// </summary>
    public bool Advance()
    {
        ulong hw = Math.Min(LocalDurable, MinAcked(CommittedInSync));
        hw = Math.Min(hw, MinAcked(PendingAdds));

        if (hw <= HighWatermark)
        {
            return false;
        }

        HighWatermark = hw;
        while (UncommittedOrder.TryPeek(out (ulong Sequence, byte[] Key) w) && w.Sequence <= hw)
        {
            UncommittedOrder.Dequeue();
            if (Uncommitted.TryGetValue(w.Key, out ulong latest) && latest <= hw)
            {
                Uncommitted.Remove(w.Key);
            }
        }

        // Not AssertInvariants: the groups the move covers are answered by the caller right after.
        Debug.Assert(HighWatermark <= LocalDurable, "the high watermark never passes the leader's own durable log");
        return true;
    }

    /// <summary>
    /// R10: true when every member of the committed in-sync set other than the leader acknowledged an
    /// append the leader sent less than <paramref name="lease"/> before <paramref name="nowTicks"/>
    /// (Stopwatch ticks). A new leader can only come from that set, and each member supports no newer
    /// leader for 1.1 x the lease after its acknowledgement, so while this holds no other leader can
    /// have acknowledged a write. A leader alone in its in-sync set always holds it.
    /// </summary>
    public bool HoldsLease(long nowTicks, TimeSpan lease) => nowTicks < LeaseExpiry(lease);

    /// <summary>
    /// R10, R13: the Stopwatch ticks before which this leader holds its read lease (see
    /// <see cref="HoldsLease"/>): the earliest send time of the latest append each other member of the
    /// committed in-sync set acknowledged, plus <paramref name="lease"/> (rounded down); 0 when a member
    /// has acknowledged none; <see cref="long.MaxValue"/> for a leader alone in its set. Until then no newer
    /// leader can have acknowledged a write: a fact of this leadership, published for direct reads.
    /// </summary>
    public long LeaseExpiry(TimeSpan lease)
    {
        long leaseTicks = (long)(lease.TotalSeconds * Stopwatch.Frequency);
        long expiry = long.MaxValue;
        foreach (string node in CommittedInSync)
        {
            if (node == Self)
            {
                continue;
            }

            if (!Followers.TryGetValue(node, out FollowerProgress? f) || f.LeaseTicks == 0)
            {
                return 0;
            }

            expiry = Math.Min(expiry, f.LeaseTicks + leaseTicks);
        }

        return expiry;
    }

    /// <summary>
    /// R13: what this leadership publishes for reads on callers' threads (its high watermark and lease
    /// expiry); published once the high watermark reaches <see cref="ReadFence"/> (R7).
    /// </summary>
    public LeaderReadBound ReadBound { get; }

    /// <summary>True once the shard published its store with <see cref="ReadBound"/> (R13); withdrawn when the leadership ends.</summary>
    public bool DirectReadsPublished { get; set; }

    private ulong MinAcked(HashSet<string> members)
    {
        ulong min = ulong.MaxValue;
        foreach (string node in members)
        {
            if (node != Self)
            {
                min = Math.Min(min, Followers.TryGetValue(node, out FollowerProgress? f) ? f.Acked : 0);
            }
        }

        return min;
    }

    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(HighWatermark <= LocalDurable, "the high watermark never passes the leader's own durable log");
        Debug.Assert(LocalDurable <= LocalWritten, "the leader ships a group no later than it makes it durable");
        Debug.Assert(CommittedInSync.Contains(Self), "the leader is in its in-sync set");
        Debug.Assert(Awaiting.Count == 0 || Awaiting.Peek().LastSequence > HighWatermark, "groups at or below the high watermark were answered");
        Debug.Assert(!DirectReadsPublished || (ReadBound.HighWatermark == HighWatermark && HighWatermark >= ReadFence), "R13: direct reads see the high watermark, once it reached the takeover fence");
    }
}

/// <summary>A follower of a leader: its replicator, its last acknowledged sequence, and when it was last caught up (Stopwatch ticks).</summary>
internal sealed class FollowerProgress
{
    public FollowerProgress(string node, IActorRef replicator, long sinceTicks)
    {
        Node = node;
        Replicator = replicator;
        LastCaughtUpTicks = sinceTicks;
    }

    public string Node { get; }

    public IActorRef Replicator { get; }

    public ulong Acked { get; set; }

    /// <summary>When the follower last had everything the leader had (Stopwatch ticks); 0 = never in this leadership.</summary>
    public long LastCaughtUpTicks { get; set; }

    /// <summary>True once an acknowledgement in this leadership showed the follower had all the leader had.</summary>
    public bool CaughtUp { get; set; }

    /// <summary>Send time (Stopwatch ticks) of the latest append this follower acknowledged; 0 = none yet (R10).</summary>
    public long LeaseTicks { get; set; }
}
