using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ActorLsm.Cluster.Membership;

/// <summary>
/// The membership view spread by gossip, as a join-semilattice (Akka.Cluster's <c>Gossip</c>): members
/// keyed by <see cref="UniqueAddress"/> whose statuses only move forward (merge keeps the later
/// <see cref="MemberStatus"/>), removed incarnations kept as tombstones so they never come back,
/// reachability records (higher per-observer version wins), the set of leaving members that finished
/// their hand-over (exiting confirmed), and per-member seen digests for convergence. Immutable.
/// </summary>
internal sealed partial class Gossip
{
    private ulong? _digest;
    private ImmutableSortedSet<UniqueAddress>? _unreachable;

    private Gossip(
        ImmutableSortedDictionary<UniqueAddress, Member> members,
        ImmutableSortedSet<UniqueAddress> tombstones,
        ImmutableDictionary<(UniqueAddress Observer, UniqueAddress Subject), ReachabilityRecord> reachability,
        ImmutableSortedSet<UniqueAddress> exitingConfirmed,
        ImmutableDictionary<UniqueAddress, SeenEntry> seen)
    {
        Members = members;
        Tombstones = tombstones;
        Reachability = reachability;
        ExitingConfirmed = exitingConfirmed;
        Seen = seen;
        AssertInvariants();
    }

    /// <summary>The view of a node that has joined nothing.</summary>
    public static Gossip Empty { get; } = new(
        ImmutableSortedDictionary<UniqueAddress, Member>.Empty,
        ImmutableSortedSet<UniqueAddress>.Empty,
        ImmutableDictionary<(UniqueAddress, UniqueAddress), ReachabilityRecord>.Empty,
        ImmutableSortedSet<UniqueAddress>.Empty,
        ImmutableDictionary<UniqueAddress, SeenEntry>.Empty);

    /// <summary>A view from its parts (as decoded from the wire); removed members and records of tombstones are pruned.</summary>
    public static Gossip Create(
        IEnumerable<Member> members,
        IEnumerable<UniqueAddress> tombstones,
        IEnumerable<ReachabilityRecord> reachability,
        IEnumerable<UniqueAddress> exitingConfirmed,
        IEnumerable<(UniqueAddress Member, SeenEntry Seen)> seen)
    {
        var tomb = ImmutableSortedSet.CreateRange(tombstones);
        var live = members.Where(m => m.Status != MemberStatus.Removed).ToList();
        tomb = tomb.Union(members.Where(m => m.Status == MemberStatus.Removed).Select(m => m.UniqueAddress));
        return Pruned(
            live.ToImmutableSortedDictionary(m => m.UniqueAddress, m => m),
            tomb,
            reachability.ToImmutableDictionary(r => (r.Observer, r.Subject)),
            ImmutableSortedSet.CreateRange(exitingConfirmed),
            seen.ToImmutableDictionary(s => s.Member, s => s.Seen));
    }

    /// <summary>Members not removed, in address order.</summary>
    public ImmutableSortedDictionary<UniqueAddress, Member> Members { get; }

    /// <summary>Removed incarnations; never members again.</summary>
    public ImmutableSortedSet<UniqueAddress> Tombstones { get; }

    /// <summary>Reachability records keyed by (observer, subject).</summary>
    public ImmutableDictionary<(UniqueAddress Observer, UniqueAddress Subject), ReachabilityRecord> Reachability { get; }

    /// <summary>Leaving or exiting members whose leave hooks finished: the leader may remove them once Exiting.</summary>
    public ImmutableSortedSet<UniqueAddress> ExitingConfirmed { get; }

    /// <summary>Per member, the digest of the last view it has seen.</summary>
    public ImmutableDictionary<UniqueAddress, SeenEntry> Seen { get; }

    /// <summary>A 64-bit hash of everything but <see cref="Seen"/>: equal digests mean equal views.</summary>
    public ulong Digest => _digest ??= ComputeDigest();

    /// <summary>
    /// Members some live observer (a member, not Down) currently marks unreachable; Down members are
    /// left out (they no longer count).
    /// </summary>
    public ImmutableSortedSet<UniqueAddress> Unreachable => _unreachable ??= ComputeUnreachable();

    /// <summary>The member with <paramref name="address"/>, or null.</summary>
    public Member? Member(UniqueAddress address) => Members.GetValueOrDefault(address);

    /// <summary>True when <paramref name="address"/> is a member or a tombstone.</summary>
    public bool Knows(UniqueAddress address) => Members.ContainsKey(address) || Tombstones.Contains(address);

    /// <summary>
    /// Least upper bound of two views: union of members with the later status (and the larger up
    /// number), union of tombstones (which win over members), higher-version reachability records,
    /// higher-sequence seen entries. Commutative, associative and idempotent.
    /// </summary>
    public Gossip Merge(Gossip other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        ImmutableSortedSet<UniqueAddress> tombstones = Tombstones.Union(other.Tombstones);
        var members = Members.ToBuilder();
        foreach ((UniqueAddress address, Member theirs) in other.Members)
        {
            members[address] = members.TryGetValue(address, out Member? mine) ? Later(mine, theirs) : theirs;
        }

        var reachability = Reachability.ToBuilder();
        foreach (var (key, theirs) in other.Reachability)
        {
            if (!reachability.TryGetValue(key, out ReachabilityRecord? mine) || theirs.Version > mine.Version)
            {
                reachability[key] = theirs;
            }
        }

        var seen = Seen.ToBuilder();
        foreach ((UniqueAddress address, SeenEntry theirs) in other.Seen)
        {
            if (!seen.TryGetValue(address, out SeenEntry mine) || theirs.Sequence > mine.Sequence)
            {
                seen[address] = theirs;
            }
        }

        return Pruned(members.ToImmutable(), tombstones, reachability.ToImmutable(), ExitingConfirmed.Union(other.ExitingConfirmed), seen.ToImmutable());
    }

    /// <summary>Records that <paramref name="self"/> has seen this view (no-op when it already said so).</summary>
    public Gossip MarkSeen(UniqueAddress self)
    {
        if (!Members.ContainsKey(self))
        {
            return this;
        }

        SeenEntry current = Seen.GetValueOrDefault(self);
        return current.Digest == Digest && current.Sequence > 0
            ? this
            : new Gossip(Members, Tombstones, Reachability, ExitingConfirmed, Seen.SetItem(self, new SeenEntry(current.Sequence + 1, Digest)));
    }

    /// <summary>
    /// Adds <paramref name="address"/> as Joining (no-op when it is known). An older incarnation on the
    /// same host:port that is still a member is marked Down, so the leader removes it.
    /// </summary>
    public Gossip AddJoining(UniqueAddress address, string clientEndpoint)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Knows(address))
        {
            return this;
        }

        Gossip g = this;
        foreach (Member old in Members.Values.Where(m => m.Address == address.Address))
        {
            g = g.WithStatus(old.UniqueAddress, MemberStatus.Down);
        }

        return new Gossip(g.Members.Add(address, new Member(address, MemberStatus.Joining, 0, clientEndpoint)), g.Tombstones, g.Reachability, g.ExitingConfirmed, g.Seen);
    }

    /// <summary>
    /// Moves <paramref name="address"/> to <paramref name="status"/> if that is later than its current
    /// status (statuses never go back); Removed turns the member into a tombstone. No-op for unknown members.
    /// </summary>
    public Gossip WithStatus(UniqueAddress address, MemberStatus status, int upNumber = 0)
    {
        if (!Members.TryGetValue(address, out Member? member) || status <= member.Status)
        {
            return this;
        }

        if (status == MemberStatus.Removed)
        {
            return Pruned(Members.Remove(address), Tombstones.Add(address), Reachability, ExitingConfirmed, Seen);
        }

        Member moved = member with { Status = status, UpNumber = status == MemberStatus.Up ? upNumber : member.UpNumber };
        return new Gossip(Members.SetItem(address, moved), Tombstones, Reachability, ExitingConfirmed, Seen);
    }

    /// <summary>Records that <paramref name="address"/> finished its leave hooks (no-op for non-members).</summary>
    public Gossip ConfirmExiting(UniqueAddress address) =>
        Members.ContainsKey(address) && !ExitingConfirmed.Contains(address)
            ? new Gossip(Members, Tombstones, Reachability, ExitingConfirmed.Add(address), Seen)
            : this;

    /// <summary>
    /// <paramref name="observer"/>'s failure detector now says <paramref name="subject"/> is (un)reachable;
    /// a new record with the observer's next version, or this view when nothing changes.
    /// </summary>
    public Gossip MarkReachability(UniqueAddress observer, UniqueAddress subject, bool unreachable)
    {
        var key = (observer, subject);
        ReachabilityRecord? current = Reachability.GetValueOrDefault(key);
        if ((current?.Unreachable ?? false) == unreachable || !Members.ContainsKey(subject) || !Members.ContainsKey(observer))
        {
            return this;
        }

        long version = Reachability.Values.Where(r => r.Observer == observer).Select(r => r.Version).DefaultIfEmpty(0).Max() + 1;
        return new Gossip(Members, Tombstones, Reachability.SetItem(key, new ReachabilityRecord(observer, subject, unreachable, version)), ExitingConfirmed, Seen);
    }

    private static Member Later(Member a, Member b) =>
        a.Status != b.Status ? (a.Status > b.Status ? a : b) : (a.UpNumber >= b.UpNumber ? a : b);

    private static Gossip Pruned(
        ImmutableSortedDictionary<UniqueAddress, Member> members,
        ImmutableSortedSet<UniqueAddress> tombstones,
        ImmutableDictionary<(UniqueAddress Observer, UniqueAddress Subject), ReachabilityRecord> reachability,
        ImmutableSortedSet<UniqueAddress> exitingConfirmed,
        ImmutableDictionary<UniqueAddress, SeenEntry> seen)
    {
        if (!tombstones.IsEmpty)
        {
            members = members.RemoveRange(tombstones.Where(members.ContainsKey));
            reachability = reachability.RemoveRange(reachability.Keys.Where(k => tombstones.Contains(k.Observer) || tombstones.Contains(k.Subject)));
            exitingConfirmed = exitingConfirmed.Except(tombstones);
            seen = seen.RemoveRange(tombstones);
        }

        return new Gossip(members, tombstones, reachability, exitingConfirmed, seen);
    }

    private ImmutableSortedSet<UniqueAddress> ComputeUnreachable()
    {
        var result = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
        foreach (ReachabilityRecord r in Reachability.Values)
        {
            if (r.Unreachable
                && Members.TryGetValue(r.Observer, out Member? observer) && observer.Status != MemberStatus.Down
                && Members.TryGetValue(r.Subject, out Member? subject) && subject.Status != MemberStatus.Down)
            {
                result.Add(r.Subject);
            }
        }

        return result.ToImmutable();
    }

    private ulong ComputeDigest()
    {
        var text = new StringBuilder();
        foreach (Member m in Members.Values)
        {
            text.Append('m').Append(m.UniqueAddress).Append('/').Append((int)m.Status).Append('/').Append(m.UpNumber).Append('/').Append(m.ClientEndpoint).Append(';');
        }

        foreach (UniqueAddress t in Tombstones)
        {
            text.Append('t').Append(t).Append(';');
        }

        foreach (ReachabilityRecord r in Reachability.Values.OrderBy(r => r.Observer).ThenBy(r => r.Subject))
        {
            text.Append('r').Append(r.Observer).Append('>').Append(r.Subject).Append('/').Append(r.Unreachable).Append('/').Append(r.Version).Append(';');
        }

        foreach (UniqueAddress e in ExitingConfirmed)
        {
            text.Append('e').Append(e).Append(';');
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return BitConverter.ToUInt64(hash, 0);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(!Members.Keys.Any(Tombstones.Contains), "a tombstone is never a member");
        Debug.Assert(Members.Values.All(m => m.Status != MemberStatus.Removed), "removed members live only as tombstones");
        Debug.Assert(Members.All(kv => kv.Key == kv.Value.UniqueAddress), "members are keyed by their own address");
    }
}
