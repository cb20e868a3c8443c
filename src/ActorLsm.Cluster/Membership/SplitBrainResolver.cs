using System.Diagnostics;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Membership;

/// <summary>What the split-brain resolver decided.</summary>
internal enum DowningDecision
{
    /// <summary>Nothing to do (everyone reachable, or not yet stable).</summary>
    None,

    /// <summary>This side is the majority: down the unreachable members.</summary>
    DownUnreachable,

    /// <summary>This side is a minority: every node of it downs itself and stops serving.</summary>
    DownSelf,
}

/// <summary>
/// Keep-majority downing (Akka's split-brain resolver, <c>keep-majority</c>): once the set of
/// unreachable members has been unchanged for <c>stable-after</c>, the side holding more than half of
/// the Up/Leaving members keeps going and downs the others; on a tie the side holding the lowest
/// address among the Up/Leaving members wins; the losing side downs itself. Stateful only in the
/// stability tracking; <see cref="Decide"/> is pure.
/// </summary>
internal sealed class SplitBrainResolver
{
    private readonly IClock _clock;
    private readonly TimeSpan _stableAfter;
    private IReadOnlySet<UniqueAddress> _lastUnreachable = new HashSet<UniqueAddress>();
    private TimeSpan _stableSince;

    /// <summary>A resolver measuring stability on <paramref name="clock"/>.</summary>
    public SplitBrainResolver(IClock clock, TimeSpan stableAfter)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _stableAfter = stableAfter;
        _stableSince = clock.Elapsed;
    }

    /// <summary>
    /// The decision for <paramref name="self"/> given its view: <see cref="DowningDecision.None"/> until
    /// the unreachable set (of members not yet Down) has been the same, and non-empty, for stable-after.
    /// </summary>
    public DowningDecision OnTick(Gossip gossip, UniqueAddress self)
    {
        ArgumentNullException.ThrowIfNull(gossip);
        var unreachable = gossip.Unreachable.Where(a => gossip.Member(a) is { Status: not MemberStatus.Down }).ToHashSet();
        TimeSpan now = _clock.Elapsed;
        if (!unreachable.SetEquals(_lastUnreachable))
        {
            _lastUnreachable = unreachable;
            _stableSince = now;
        }

        AssertInvariants();
        return unreachable.Count == 0 || now - _stableSince < _stableAfter ? DowningDecision.None : Decide(gossip.Members.Values, unreachable, self);
    }

    /// <summary>
    /// Keep-majority for <paramref name="self"/> on the side of the members not in
    /// <paramref name="unreachable"/>: counts Up and Leaving members on each side.
    /// </summary>
    public static DowningDecision Decide(IEnumerable<Member> members, IReadOnlySet<UniqueAddress> unreachable, UniqueAddress self)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(unreachable);
        if (unreachable.Count == 0 || unreachable.Contains(self))
        {
            return DowningDecision.None;
        }

        var voters = members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).OrderBy(m => m.UniqueAddress).ToList();
        int ours = voters.Count(m => !unreachable.Contains(m.UniqueAddress));
        int theirs = voters.Count - ours;
        bool keep = ours > theirs || (ours == theirs && ours > 0 && !unreachable.Contains(voters[0].UniqueAddress));
        return keep ? DowningDecision.DownUnreachable : DowningDecision.DownSelf;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_stableSince <= _clock.Elapsed, "stability starts in the past");
}
