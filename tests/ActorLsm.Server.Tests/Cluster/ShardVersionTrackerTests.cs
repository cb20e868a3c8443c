using ActorLsm.Cluster.Versions;
using ActorLsm.Hosting.Versions;

namespace ActorLsm.Server.Tests.Cluster;

/// <summary>The version reporter's rule: boundaries per new current version, completed = c - 1, flushed from durable sequences.</summary>
public sealed class ShardVersionTrackerTests
{
    [Fact]
    public void Observe_NoVersionManagerYet_ReportsNothing()
    {
        var tracker = new ShardVersionTracker();

        Assert.Empty(tracker.Observe(0, [new ShardProgress(0, 10, 0, true)]));
    }

    [Fact]
    public void Observe_NewCurrents_FlushedIsLargestVersionWhoseBoundaryIsDurable()
    {
        var tracker = new ShardVersionTracker();

        ShardVersionReport r5 = Assert.Single(tracker.Observe(5, [new ShardProgress(0, 100, 50, true)]));   // B(4) = 100
        ShardVersionReport r6 = Assert.Single(tracker.Observe(6, [new ShardProgress(0, 200, 100, true)]));  // B(5) = 200; 100 durable covers v4
        ShardVersionReport r6Again = Assert.Single(tracker.Observe(6, [new ShardProgress(0, 260, 199, true)])); // same current: B(5) stays 200
        ShardVersionReport r7 = Assert.Single(tracker.Observe(7, [new ShardProgress(0, 300, 250, true)]));  // B(6) = 300; 250 covers v5

        Assert.Equal((4L, 0L, 100L), (r5.Completed, r5.Flushed, r5.LastSequence));
        Assert.Equal((5L, 4L), (r6.Completed, r6.Flushed));
        Assert.Equal((5L, 4L), (r6Again.Completed, r6Again.Flushed));
        Assert.Equal((6L, 5L), (r7.Completed, r7.Flushed));
    }

    [Fact]
    public void Observe_NothingUnflushed_FlushedEqualsCompleted()
    {
        var tracker = new ShardVersionTracker();

        ShardVersionReport report = Assert.Single(tracker.Observe(9, [new ShardProgress(3, 500, 0, false)]));

        Assert.Equal((3, 8L, 8L), (report.ShardId, report.Completed, report.Flushed));
    }

    [Fact]
    public void Observe_DurableSequenceLags_FlushedNeverGoesBackwards()
    {
        var tracker = new ShardVersionTracker();
        tracker.Observe(3, [new ShardProgress(0, 10, 10, false)]);

        ShardVersionReport later = Assert.Single(tracker.Observe(4, [new ShardProgress(0, 40, 5, true)]));

        Assert.Equal((3L, 2L), (later.Completed, later.Flushed));
    }
}
