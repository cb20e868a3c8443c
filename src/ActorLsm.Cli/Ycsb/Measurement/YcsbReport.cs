using System.Globalization;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// Prints a run's results in the line shape of YCSB's text exporter, one
/// <c>[SECTION], Metric, value</c> per line: the <c>[OVERALL]</c> run time and throughput, then for
/// each operation type that ran its count, latencies in microseconds (average, minimum, maximum,
/// 95th and 99th percentile) and one <c>Return=</c> line per outcome seen (<c>OK</c> always).
/// Fractional numbers print as Java's <c>Double.toString</c> does for ordinary magnitudes (shortest
/// round-trip digits, always with a decimal point).
/// </summary>
internal static class YcsbReport
{
    /// <summary>Section names in print order.</summary>
    public static readonly IReadOnlyList<(YcsbOperation Operation, string Section)> Sections =
    [
        (YcsbOperation.Read, "READ"),
        (YcsbOperation.Update, "UPDATE"),
        (YcsbOperation.Insert, "INSERT"),
        (YcsbOperation.Scan, "SCAN"),
        (YcsbOperation.ReadModifyWrite, "READ-MODIFY-WRITE"),
    ];

    /// <summary>Writes the report; <paramref name="operations"/> counts workload operations (a read-modify-write counts once).</summary>
    public static void Write(TextWriter output, long runTimeMs, long operations, IReadOnlyDictionary<YcsbOperation, OperationMeasurement> measurements)
    {
        double throughput = runTimeMs > 0 ? operations * 1000.0 / runTimeMs : 0.0;
        Line(output, "OVERALL", "RunTime(ms)", Integer(runTimeMs));
        Line(output, "OVERALL", "Throughput(ops/sec)", Real(throughput));
        foreach ((YcsbOperation operation, string section) in Sections)
        {
            if (!measurements.TryGetValue(operation, out OperationMeasurement? m) || m.Operations == 0)
            {
                continue;
            }

            LatencyHistogram h = m.Latency;
            Line(output, section, "Operations", Integer(m.Operations));
            Line(output, section, "AverageLatency(us)", Real(h.Mean));
            Line(output, section, "MinLatency(us)", Integer(h.Min));
            Line(output, section, "MaxLatency(us)", Integer(h.Max));
            Line(output, section, "95thPercentileLatency(us)", Integer(h.Percentile(95)));
            Line(output, section, "99thPercentileLatency(us)", Integer(h.Percentile(99)));
            Line(output, section, "Return=OK", Integer(m.Ok));
            if (m.NotFound > 0)
            {
                Line(output, section, "Return=NOT_FOUND", Integer(m.NotFound));
            }

            if (m.Errors > 0)
            {
                Line(output, section, "Return=ERROR", Integer(m.Errors));
            }
        }
    }

    /// <summary>A double as Java prints it for ordinary magnitudes: shortest round-trip digits with at least one decimal.</summary>
    public static string Real(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) || !double.IsFinite(value)
            ? text
            : text + ".0";
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Line(TextWriter output, string section, string metric, string value) =>
        output.WriteLine($"[{section}], {metric}, {value}");
}
