using ActorLsm.Cluster.Remoting;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Tests.Remoting;

/// <summary>The fault-injecting decorator over the in-memory network: cuts, heals, isolation, duplicates, drops, reordering.</summary>
public sealed class FaultInjectingTransportTests : TransportContractTests
{
    private readonly InMemoryNetwork _network = new();
    private readonly NetworkFaults _faults = new(seed: 12345);
    private bool _undecorated;

    [Fact]
    public async Task Cut_Link_DropsBothDirectionsUntilHealed()
    {
        var (a, aListener) = await StartAsync();
        var (b, bListener) = await StartAsync();
        _faults.Cut(a.LocalAddress, b.LocalAddress);

        for (int i = 0; i < 10; i++)
        {
            a.TrySend(b.LocalAddress, Envelope(i));
            b.TrySend(a.LocalAddress, Envelope(i));
        }

        Assert.True(_faults.IsCut(b.LocalAddress, a.LocalAddress));
        _faults.Heal(a.LocalAddress, b.LocalAddress);
        a.TrySend(b.LocalAddress, Envelope(1000));
        b.TrySend(a.LocalAddress, Envelope(1000));

        // FIFO per peer: when the marker arrives, anything sent before it would have arrived first.
        Assert.Equal([1000UL], (await bListener.WaitForAsync(1)).Select(e => e.RecipientUid));
        Assert.Equal([1000UL], (await aListener.WaitForAsync(1)).Select(e => e.RecipientUid));
        Assert.Equal(20, _faults.DroppedCount);
    }

    [Fact]
    public async Task Isolate_Node_CutsItFromEveryoneUntilHealAll()
    {
        var (a, aListener) = await StartAsync();
        var (b, bListener) = await StartAsync();
        var (c, cListener) = await StartAsync();
        _faults.Isolate(a.LocalAddress);

        a.TrySend(b.LocalAddress, Envelope(1));
        c.TrySend(a.LocalAddress, Envelope(2));
        b.TrySend(c.LocalAddress, Envelope(3));
        Assert.Equal([3UL], (await cListener.WaitForAsync(1)).Select(e => e.RecipientUid));

        _faults.HealAll();
        a.TrySend(b.LocalAddress, Envelope(4));
        c.TrySend(a.LocalAddress, Envelope(5));

        Assert.Equal([4UL], (await bListener.WaitForAsync(1)).Select(e => e.RecipientUid));
        Assert.Equal([5UL], (await aListener.WaitForAsync(1)).Select(e => e.RecipientUid));
    }

    [Fact]
    public async Task Cut_SenderWithoutDecorator_DroppedOnReceive()
    {
        _undecorated = true;
        var (a, _) = await StartAsync();
        _undecorated = false;
        var (b, bListener) = await StartAsync();
        a.TrySend(b.LocalAddress, Envelope(1));
        await bListener.WaitForAsync(1);
        _faults.Cut(a.LocalAddress, b.LocalAddress);

        a.TrySend(b.LocalAddress, Envelope(2));
        await PollAsync(() => _faults.DroppedCount == 1);
        _faults.HealAll();
        a.TrySend(b.LocalAddress, Envelope(3));

        Assert.Equal([1UL, 3UL], (await bListener.WaitForAsync(2)).Select(e => e.RecipientUid));
    }

    [Fact]
    public async Task DuplicateProbabilityOne_EveryEnvelope_ArrivesTwice()
    {
        var (a, _) = await StartAsync();
        var (b, bListener) = await StartAsync();
        _faults.DuplicateProbability = 1.0;

        for (int i = 0; i < 5; i++)
        {
            a.TrySend(b.LocalAddress, Envelope(i));
        }

        IReadOnlyList<RemoteEnvelope> got = await bListener.WaitForAsync(10);
        Assert.Equal([0UL, 0, 1, 1, 2, 2, 3, 3, 4, 4], got.Select(e => e.RecipientUid));
    }

    [Fact]
    public async Task DropProbability_ManyEnvelopes_DropsAboutThatFraction()
    {
        var (a, _) = await StartAsync(capacity: 5000);
        var (b, bListener) = await StartAsync();
        _faults.DropProbability = 0.3;
        const int Count = 2000;

        for (int i = 0; i < Count; i++)
        {
            a.TrySend(b.LocalAddress, Envelope(i));
        }

        _faults.DropProbability = 0;
        a.TrySend(b.LocalAddress, Envelope(Count));
        await PollAsync(() => bListener.Received.Any(e => e.RecipientUid == Count));

        int delivered = bListener.Received.Count - 1;
        double dropRate = 1.0 - ((double)delivered / Count);
        Assert.InRange(dropRate, 0.25, 0.35);
        Assert.Equal(Count - delivered, _faults.DroppedCount);
    }

    [Fact]
    public async Task ReorderProbability_ManyEnvelopes_AllArriveSomeOutOfOrder()
    {
        var (a, _) = await StartAsync();
        var (b, bListener) = await StartAsync();
        _faults.ReorderProbability = 0.3;
        _faults.MaxDelay = TimeSpan.FromMilliseconds(30);

        for (int i = 0; i < 100; i++)
        {
            a.TrySend(b.LocalAddress, Envelope(i));
        }

        IReadOnlyList<RemoteEnvelope> got = await bListener.WaitForAsync(100);
        ulong[] order = [.. got.Select(e => e.RecipientUid)];
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (ulong)i), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (ulong)i), order);
    }

    [Fact]
    public void Seed_Given_IsExposed()
    {
        Assert.Equal(12345, _faults.Seed);
        Assert.NotEqual(0, new NetworkFaults().Seed | 1);
    }

    protected override ITransport Create(NodeAddress address, int capacity) => _undecorated
        ? _network.CreateTransport(address, capacity)
        : new FaultInjectingTransport(_network.CreateTransport(address, capacity), _faults);
}
