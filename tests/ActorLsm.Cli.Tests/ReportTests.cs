using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class ReportTests
{
    [Fact]
    public void LatencyHistogram_OneToThousand_PercentilesWithinBucketPrecision()
    {
        var h = new LatencyHistogram();
        for (int v = 1000; v >= 1; v--)
        {
            h.Record(v);
        }

        Assert.Equal(1000, h.Count);
        Assert.Equal(1, h.Min);
        Assert.Equal(1000, h.Max);
        Assert.Equal(500.5, h.Mean);
        Assert.InRange(h.Percentile(95), 950, 950 * 1.008);
        Assert.InRange(h.Percentile(99), 990, 990 * 1.008);
        Assert.Equal(1000, h.Percentile(100));
    }

    [Fact]
    public void LatencyHistogram_SmallValues_AreExact()
    {
        var h = new LatencyHistogram();
        foreach (int v in new[] { 3, 7, 7, 200, 255 })
        {
            h.Record(v);
        }

        Assert.Equal(7, h.Percentile(50));
        Assert.Equal(255, h.Percentile(99));
        Assert.Equal(3, h.Percentile(1));
    }

    [Fact]
    public void LatencyHistogram_Buckets_BoundRelativeError()
    {
        var random = new Random(11);
        for (int i = 0; i < 100_000; i++)
        {
            long v = random.NextInt64(0, long.MaxValue >> random.Next(0, 62));
            long upper = LatencyHistogram.UpperEdge(LatencyHistogram.IndexOf(v));
            Assert.True(upper >= v && upper - v <= v / 128, $"seed 11: value {v} upper edge {upper}");
        }
    }

    [Fact]
    public void LatencyHistogram_Add_MergesCountsAndExtremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        b.Record(5);
        b.Record(5000);
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(5, a.Min);
        Assert.Equal(5000, a.Max);
        Assert.Equal(5015, a.Sum);
    }

    [Fact]
    public void Write_ReadAndUpdate_PrintsYcsbLines()
    {
        var read = new OperationMeasurement();
        read.Record(10, OperationResult.Ok);
        read.Record(20, OperationResult.Ok);
        read.Record(30, OperationResult.NotFound);
        var update = new OperationMeasurement();
        update.Record(100, OperationResult.Ok);
        update.Record(300, OperationResult.Error);
        var output = new StringWriter { NewLine = "\n" };

        YcsbReport.Write(output, 2000, 5, new Dictionary<YcsbOperation, OperationMeasurement> { [YcsbOperation.Update] = update, [YcsbOperation.Read] = read });

        Assert.Equal(
            """
            [OVERALL], RunTime(ms), 2000
            [OVERALL], Throughput(ops/sec), 2.5
            [READ], Operations, 3
            [READ], AverageLatency(us), 20.0
            [READ], MinLatency(us), 10
            [READ], MaxLatency(us), 30
            [READ], 95thPercentileLatency(us), 30
            [READ], 99thPercentileLatency(us), 30
            [READ], Return=OK, 2
            [READ], Return=NOT_FOUND, 1
            [UPDATE], Operations, 2
            [UPDATE], AverageLatency(us), 200.0
            [UPDATE], MinLatency(us), 100
            [UPDATE], MaxLatency(us), 300
            [UPDATE], 95thPercentileLatency(us), 300
            [UPDATE], 99thPercentileLatency(us), 300
            [UPDATE], Return=OK, 1
            [UPDATE], Return=ERROR, 1

            """,
            output.ToString());
    }

    [Theory]
    [InlineData(1000.0, "1000.0")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.0, "0.0")]
    [InlineData(98.91196834817013, "98.91196834817013")]
    public void Real_Doubles_PrintLikeJava(double value, string expected)
    {
        Assert.Equal(expected, YcsbReport.Real(value));
    }
}
