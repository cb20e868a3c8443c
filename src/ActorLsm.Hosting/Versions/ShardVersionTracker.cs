using System.Diagnostics;
using ActorLsm.Cluster.Versions;

namespace ActorLsm.Hosting.Versions;

/// <summary>One shard's sequence progress on this node: last committed and last durable in SSTables.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="LastSequence">Last committed sequence number.</param>
/// <param name="DurableSequence">Largest sequence number durable in SSTables (flushed).</param>
/// <param name="HasUnflushed">False when the memtables hold nothing not yet flushed.</param>
public readonly record struct ShardProgress(int ShardId, ulong LastSequence, ulong DurableSequence, bool HasUnflushed);

/// <summary>
/// The per-shard rule that turns cluster versions into shard progress (seed 000 and tektite's
/// version manager): on each new <c>Current = c</c> seen, the boundary B(c - 1) of every shard this
/// node leads is the shard's last sequence at that moment (every write of a version &lt;= c - 1 has
/// a sequence &lt;= B; reading it late only makes B larger, which is safe). Then completed = c - 1,
/// and flushed = the largest v with B(v) &lt;= the shard's durable sequence, or completed when the
/// memtables hold nothing unflushed. Flushed never goes backwards. Not thread-safe: one caller.
/// </summary>
public sealed class ShardVersionTracker
{
    private readonly Dictionary<int, ShardState> _shards = [];
    private long _current;

    /// <summary>The latest current version seen.</summary>
    public long Current => _current;

    /// <summary>
    /// Observes <paramref name="current"/> (the version manager's current version; 0 = none yet)
    /// and the progress of the shards this node leads now; returns one report per shard in
    /// <paramref name="led"/>, or none while <paramref name="current"/> is 0.
    /// </summary>
    public IReadOnlyList<ShardVersionReport> Observe(long current, IReadOnlyList<ShardProgress> led)
    {
        ArgumentNullException.ThrowIfNull(led);
        bool advanced = current > _current;
        if (advanced)
        {
            _current = current;
        }

        var reports = new List<ShardVersionReport>(led.Count);
        var present = new HashSet<int>();
        foreach (ShardProgress p in led)
        {
            present.Add(p.ShardId);
            if (!_shards.TryGetValue(p.ShardId, out ShardState? state))
            {
                state = new ShardState();
                _shards[p.ShardId] = state;
            }

            if (_current <= 0)
            {
                continue;
            }

            long completed = _current - 1;
            if (!state.Boundaries.ContainsKey(completed))
            {
                // First time this shard sees this current: its boundary for c - 1 is its last sequence now.
                state.Boundaries[completed] = p.LastSequence;
            }

            long flushed = state.Flushed;
            if (!p.HasUnflushed || p.DurableSequence >= p.LastSequence)
            {
                flushed = completed;
            }
            else
            {
                foreach ((long version, ulong boundary) in state.Boundaries)
                {
                    if (boundary <= p.DurableSequence && version > flushed)
                    {
                        flushed = version;
                    }
                }
            }

            state.Flushed = Math.Min(Math.Max(state.Flushed, flushed), completed);
            state.Prune();
            reports.Add(new ShardVersionReport(p.ShardId, completed, state.Flushed, (long)Math.Min(p.LastSequence, long.MaxValue)));
        }

        // A shard no longer led starts afresh if it comes back: its old boundaries say nothing then.
        foreach (int id in _shards.Keys.Where(id => !present.Contains(id)).ToList())
        {
            _shards.Remove(id);
        }

        AssertInvariants();
        return reports;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        foreach (ShardState s in _shards.Values)
        {
            Debug.Assert(_current <= 0 || s.Flushed <= _current - 1, "flushed <= completed < current");
            ulong previous = 0;
            foreach (ulong b in s.Boundaries.Values)
            {
                Debug.Assert(b >= previous, "boundaries grow with the version");
                previous = b;
            }
        }
    }

    private sealed class ShardState
    {
        /// <summary>B(v) by version v, ascending.</summary>
        public SortedDictionary<long, ulong> Boundaries { get; } = [];

        public long Flushed { get; set; }

        /// <summary>Drops boundaries of versions below the flushed one (they cannot raise flushed any more).</summary>
        public void Prune()
        {
            foreach (long v in Boundaries.Keys.Where(v => v < Flushed).ToList())
            {
                Boundaries.Remove(v);
            }
        }
    }
}
