using ActorLsm.Shards.Shard;
using Akka.Actor;
using static ActorLsm.Shards.Tests.NodeHarness;

namespace ActorLsm.Shards.Tests;

public sealed class WriteQueueTests
{
    private static PendingWrite Write(int ops, int valueBytes = 1) =>
        new([.. Enumerable.Range(0, ops).Select(i => new BatchOperation(B("k" + i), new byte[valueBytes]))], ActorRefs.Nobody, ops * (2L + valueBytes));

    [Fact]
    public void TryEnqueue_OverOpLimit_Refuses()
    {
        var q = new WriteQueue(maxOps: 3, maxBytes: 1 << 20);
        Assert.True(q.TryEnqueue(Write(2)));
        Assert.False(q.TryEnqueue(Write(2)));
        Assert.True(q.TryEnqueue(Write(1)));
        Assert.Equal(3, q.PendingOps);
    }

    [Fact]
    public void TryEnqueue_OverByteLimit_RefusesButEmptyQueueAcceptsOneBigWrite()
    {
        var q = new WriteQueue(maxOps: 100, maxBytes: 100);
        Assert.True(q.TryEnqueue(Write(1, valueBytes: 500)));
        Assert.False(q.TryEnqueue(Write(1)));
    }

    [Fact]
    public void TakeGroup_StaysPendingUntilReleased()
    {
        var q = new WriteQueue(maxOps: 100, maxBytes: 1 << 20);
        q.TryEnqueue(Write(2));
        q.TryEnqueue(Write(3));
        CommitGroup group = q.TakeGroup(1 << 20)!;
        Assert.Equal(5, group.OpCount);
        Assert.Equal(2, group.Writes.Count);
        Assert.Equal(0, q.WaitingCount);
        Assert.Equal(5, q.PendingOps);
        q.Release(group);
        Assert.Equal(0, q.PendingOps);
        Assert.Equal(0, q.PendingBytes);
        Assert.Null(q.TakeGroup(1 << 20));
    }

    [Fact]
    public void TakeGroup_ByteCap_SplitsGroupsButTakesAtLeastOne()
    {
        var q = new WriteQueue(maxOps: 100, maxBytes: 1 << 20);
        q.TryEnqueue(Write(1, valueBytes: 5000));
        q.TryEnqueue(Write(1, valueBytes: 10));
        CommitGroup first = q.TakeGroup(4096)!;
        Assert.Single(first.Writes);
        CommitGroup second = q.TakeGroup(4096)!;
        Assert.Single(second.Writes);
        Assert.Equal(2, q.PendingOps);
        Assert.Empty(q.TakeAllWaiting());
    }
}
