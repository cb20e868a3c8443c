using ActorLsm.Cluster.View;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Singleton;

/// <summary>Majority arithmetic and state recovery of the version-manager singleton (pure functions).</summary>
internal static class Quorum
{
    /// <summary>Votes needed out of <paramref name="voters"/> (&gt;= 1): a strict majority.</summary>
    public static int Majority(int voters) => (voters / 2) + 1;

    /// <summary>True when the members in <paramref name="acks"/> that are among <paramref name="voters"/> form a majority of them.</summary>
    public static bool IsMajority(IReadOnlySet<UniqueAddress> voters, IEnumerable<UniqueAddress> acks) =>
        voters.Count > 0 && acks.Distinct().Count(voters.Contains) >= Majority(voters.Count);

    /// <summary>
    /// True when a majority can no longer be reached: too many of <paramref name="voters"/> have rejected.
    /// </summary>
    public static bool IsLost(IReadOnlySet<UniqueAddress> voters, IEnumerable<UniqueAddress> rejects) =>
        voters.Count - rejects.Distinct().Count(voters.Contains) < Majority(voters.Count);

    /// <summary>The voters of an epoch or a persist: the Up members of <paramref name="state"/>.</summary>
    public static IReadOnlySet<UniqueAddress> UpVoters(ClusterState state) =>
        state.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.UniqueAddress).ToHashSet();

    /// <summary>
    /// Recovers the manager state from a majority's persisted states: ceiling and flushed are the
    /// maxima; the shard map is the one with the highest (epoch, version). The result's epoch and
    /// seq are left to the caller.
    /// </summary>
    public static ManagerState Recover(IEnumerable<ManagerState?> states)
    {
        var result = new ManagerState();
        foreach (ManagerState? s in states)
        {
            if (s is null)
            {
                continue;
            }

            result.Ceiling = Math.Max(result.Ceiling, s.Ceiling);
            result.Flushed = Math.Max(result.Flushed, s.Flushed);
            result.Completed = Math.Max(result.Completed, s.Completed);
            if (s.ShardMap is not null && (result.ShardMap is null || Newer(s.ShardMap, result.ShardMap)))
            {
                result.ShardMap = s.ShardMap.Clone();
            }
        }

        return result;
    }

    private static bool Newer(ShardMapMsg a, ShardMapMsg b) => a.Epoch != b.Epoch ? a.Epoch > b.Epoch : a.Version > b.Version;
}
