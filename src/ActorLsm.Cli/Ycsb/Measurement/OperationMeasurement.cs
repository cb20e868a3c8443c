namespace ActorLsm.Cli.Ycsb;

/// <summary>The outcome of one operation, as YCSB's Status names it in <c>Return=</c> lines.</summary>
internal enum OperationResult
{
    Ok,
    NotFound,
    Error,
}

/// <summary>Latencies and outcomes of one operation type; one per worker, merged at the end. Not thread-safe.</summary>
internal sealed class OperationMeasurement
{
    public LatencyHistogram Latency { get; } = new();

    public long Ok { get; private set; }

    public long NotFound { get; private set; }

    public long Errors { get; private set; }

    public long Operations => Latency.Count;

    public void Record(long micros, OperationResult result)
    {
        Latency.Record(micros);
        switch (result)
        {
            case OperationResult.Ok: Ok++; break;
            case OperationResult.NotFound: NotFound++; break;
            default: Errors++; break;
        }
    }

    public void Add(OperationMeasurement other)
    {
        Latency.Add(other.Latency);
        Ok += other.Ok;
        NotFound += other.NotFound;
        Errors += other.Errors;
    }
}
