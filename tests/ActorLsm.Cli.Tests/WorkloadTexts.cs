namespace ActorLsm.Cli.Tests;

/// <summary>Workload property files written for these tests, with the settings of YCSB's core workloads.</summary>
internal static class WorkloadTexts
{
    /// <summary>Workload A's settings: half reads, half updates, Zipfian requests.</summary>
    public const string UpdateHeavy = """
        # update-heavy mix (the settings of YCSB workload A)
        recordcount=1000
        operationcount=1000
        workload=site.ycsb.workloads.CoreWorkload
        readallfields=true
        readproportion=0.5
        updateproportion=0.5
        scanproportion=0
        insertproportion=0
        requestdistribution=zipfian
        """;

    /// <summary>Writes <paramref name="text"/> to a new temporary file; returns its path.</summary>
    public static string WriteTemp(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"actorlsm-cli-test-{Guid.NewGuid():N}.properties");
        File.WriteAllText(path, text);
        return path;
    }
}
