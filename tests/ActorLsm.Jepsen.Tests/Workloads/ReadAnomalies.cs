using ActorLsm.Server.Tests.Linearizability;

namespace ActorLsm.Jepsen.Tests.Workloads;

/// <summary>
/// Names what is wrong with individual reads of a register history, beside the linearizability
/// checker's verdict on the whole (which says only that some key has no linearization). Every value a
/// Put writes must be unique per key (the register workload's values are). Sound, not complete: a read
/// counted here is certainly an anomaly; a non-linearizable history may have none counted.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Wrong value</b>: a Get returned a value no Put of that key wrote, or one whose Put was invoked only after the Get returned.</item>
/// <item><b>Stale read</b>: a Get returned v (or absent) although a Put of another value w was invoked after v's Put
/// had returned (after the start, for absent) and was acknowledged before the Get was invoked: w certainly
/// superseded v, in real time, before the read began. Jepsen's "stale read".</item>
/// </list>
/// </remarks>
internal static class ReadAnomalies
{
    /// <summary>Classifies the Ok Gets of <paramref name="history"/>; returns the stale and the wrong ones.</summary>
    public static (IReadOnlyList<Operation> Stale, IReadOnlyList<Operation> Wrong) Classify(IReadOnlyList<Operation> history)
    {
        var stale = new List<Operation>();
        var wrong = new List<Operation>();
        foreach (IGrouping<string, Operation> key in history.GroupBy(op => op.Key, StringComparer.Ordinal))
        {
            // Puts that may have taken effect (Ok or Indeterminate), by value.
            var puts = key.Where(op => op.Kind == OperationKind.Put && op.Outcome != OperationOutcome.Failed)
                .GroupBy(op => op.Value ?? "", StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var acked = key.Where(op => op.Kind == OperationKind.Put && op.Outcome == OperationOutcome.Ok).ToList();
            foreach (Operation read in key.Where(op => op.Kind == OperationKind.Get && op.Outcome == OperationOutcome.Ok))
            {
                if (read.Output is null)
                {
                    // Absent: stale when any acknowledged Put returned before the read began.
                    if (acked.Any(w => w.ReturnTicks < read.InvokeTicks))
                    {
                        stale.Add(read);
                    }

                    continue;
                }

                if (!puts.TryGetValue(read.Output, out Operation? source) || source.InvokeTicks > read.ReturnTicks)
                {
                    wrong.Add(read);
                    continue;
                }

                bool superseded = source.Outcome == OperationOutcome.Ok && acked.Any(w =>
                    !string.Equals(w.Value, read.Output, StringComparison.Ordinal)
                    && w.InvokeTicks > source.ReturnTicks
                    && w.ReturnTicks < read.InvokeTicks);
                if (superseded)
                {
                    stale.Add(read);
                }
            }
        }

        return (stale, wrong);
    }
}
