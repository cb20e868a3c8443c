namespace ActorLsm.Cli.Ycsb;

/// <summary>The measurements of one phase.</summary>
internal sealed class YcsbResult
{
    public required long RunTimeMs { get; init; }

    /// <summary>Workload operations done (a read-modify-write counts once).</summary>
    public required long Operations { get; init; }

    /// <summary>Per operation type, merged over workers. A read-modify-write's inner read and update also count under READ and UPDATE, as in YCSB.</summary>
    public required IReadOnlyDictionary<YcsbOperation, OperationMeasurement> Measurements { get; init; }

    /// <summary>The first failure's message (one line), or null when nothing failed.</summary>
    public string? FirstError { get; init; }

    /// <summary>Operations that ended in <c>Return=ERROR</c>, over all types.</summary>
    public long ErrorCount => Measurements.Values.Sum(m => m.Errors);

    /// <summary>Failed inserts (load phase: any makes the command fail).</summary>
    public long InsertErrors => Measurements.TryGetValue(YcsbOperation.Insert, out OperationMeasurement? m) ? m.Errors : 0;
}
