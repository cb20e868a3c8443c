namespace ActorLsm.Kernel.Tests;

public sealed class ReferenceConfTests
{
    [Fact]
    public void ReferenceConf_Defaults_MatchCode()
    {
        var conf = Parse(File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "reference.conf")));
        var options = new ActorSystemOptions();
        var strategy = options.DefaultSupervisorStrategy;

        Assert.Equal(options.DefaultMailboxCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture), conf["actorlsm.kernel.mailbox.capacity"]);
        Assert.Equal("drop-newest", conf["actorlsm.kernel.mailbox.overflow"]);
        Assert.Equal(MailboxOverflow.DropNewest, options.DefaultMailboxOverflow);
        Assert.Equal(options.Throughput.ToString(System.Globalization.CultureInfo.InvariantCulture), conf["actorlsm.kernel.mailbox.throughput"]);
        Assert.Equal(strategy.MaxNrOfRetries.ToString(System.Globalization.CultureInfo.InvariantCulture), conf["actorlsm.kernel.supervision.max-nr-of-retries"]);
        Assert.Equal("infinite", conf["actorlsm.kernel.supervision.within-time-range"]);
        Assert.Equal(Timeout.InfiniteTimeSpan, strategy.WithinTimeRange);
        Assert.Equal(strategy.MinBackoff, Duration(conf["actorlsm.kernel.supervision.min-backoff"]));
        Assert.Equal(strategy.MaxBackoff, Duration(conf["actorlsm.kernel.supervision.max-backoff"]));
        Assert.Equal(options.DefaultAskTimeout, Duration(conf["actorlsm.kernel.ask.default-timeout"]));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorInitializationException()));
        Assert.Equal(Directive.Restart, SupervisorStrategy.DefaultDecider(new InvalidOperationException()));
    }

    [Fact]
    public void ReferenceConf_EveryKey_HasAComment()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "reference.conf"));

        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains('=', StringComparison.Ordinal) && !lines[i].TrimStart().StartsWith('#'))
            {
                Assert.StartsWith("#", lines[i - 1].TrimStart(), StringComparison.Ordinal);
            }
        }
    }

    private static TimeSpan Duration(string text) => text switch
    {
        _ when text.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture)),
        _ when text.EndsWith('s') => TimeSpan.FromSeconds(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new FormatException(text),
    };

    private static Dictionary<string, string> Parse(string[] lines)
    {
        var scope = new Stack<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (line.EndsWith('{'))
            {
                scope.Push(line[..^1].Trim());
            }
            else if (line == "}")
            {
                scope.Pop();
            }
            else if (line.Split('=', 2) is [var key, var value])
            {
                values[string.Join('.', scope.Reverse().Append(key.Trim()))] = value.Trim();
            }
        }

        return values;
    }
}
