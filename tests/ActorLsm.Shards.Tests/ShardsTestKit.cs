using Akka.Configuration;
using Xunit.Abstractions;

namespace ActorLsm.Shards.Tests;

/// <summary>
/// Akka TestKit over an actor system configured with <see cref="ShardedNode.DefaultConfig"/> (so the
/// shards' I/O dispatcher exists); the TestKit's own defaults (test event listener for EventFilter,
/// short ExpectMsg timeouts) come after it. Log output goes to the test's output.
/// </summary>
public abstract class ShardsTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config s_config = ConfigurationFactory.ParseString("akka.loglevel = INFO").WithFallback(ShardedNode.DefaultConfig);

    protected ShardsTestKit(ITestOutputHelper? output = null)
        : base(s_config, "shards-test", output)
    {
    }

    /// <summary>Starts a node in this test's actor system over a new temp directory (<see cref="NodeHarness.StartInAsync"/>).</summary>
    protected Task<NodeHarness> StartAsync(Func<string, ShardedNodeOptions>? configure = null) => NodeHarness.StartInAsync(Sys, configure);
}
