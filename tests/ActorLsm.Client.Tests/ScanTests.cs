using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests;

public sealed class ScanTests
{
    private const int KeyCount = 2500;

    private static FakeStore Filled(int maxScanPage)
    {
        var store = new FakeStore { MaxScanPage = maxScanPage };
        for (int i = 0; i < KeyCount; i++)
        {
            store.Add(Key(i), Clients.Bytes($"v{i}"));
        }

        return store;
    }

    private static byte[] Key(int i) => Clients.Bytes($"k{i:D5}");

    private static async Task<List<KeyValuePair<byte[], byte[]>>> CollectAsync(IAsyncEnumerable<KeyValuePair<byte[], byte[]>> scan)
    {
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        await foreach (KeyValuePair<byte[], byte[]> entry in scan.WithCancellation(new CancellationTokenSource(FakeNode.WaitLimit).Token))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static void AssertKeys(IEnumerable<int> expected, List<KeyValuePair<byte[], byte[]>> entries)
    {
        Assert.Equal(expected.Select(i => $"k{i:D5}"), entries.Select(e => Clients.Text(e.Key)));
        Assert.All(entries, e => Assert.Equal("v" + int.Parse(Clients.Text(e.Key)[1..], System.Globalization.CultureInfo.InvariantCulture), Clients.Text(e.Value)));
    }

    [Fact]
    public async Task ScanAsync_ForwardNoLimit_PagesThroughEverything()
    {
        FakeStore store = Filled(maxScanPage: 100_000);
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        List<KeyValuePair<byte[], byte[]>> entries = await CollectAsync(client.ScanAsync());

        AssertKeys(Enumerable.Range(0, KeyCount), entries);
        Assert.Equal([1000U, 1000U, 1000U], store.ScanLimits);
    }

    [Fact]
    public async Task ScanAsync_ForwardWithLimitAndNodePageSmallerThanClientPage_StopsAtLimit()
    {
        FakeStore store = Filled(maxScanPage: 300);
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        List<KeyValuePair<byte[], byte[]>> entries = await CollectAsync(client.ScanAsync(start: Key(10), limit: 1234));

        AssertKeys(Enumerable.Range(10, 1234), entries);
        Assert.Equal(1000U, store.ScanLimits.First());
        Assert.Equal(1234U - (300U * 4), store.ScanLimits.Last());
    }

    [Fact]
    public async Task ScanAsync_ReverseWithBoundsAndLimit_DescendsFromEnd()
    {
        FakeStore store = Filled(maxScanPage: 700);
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        List<KeyValuePair<byte[], byte[]>> entries = await CollectAsync(client.ScanAsync(start: Key(100), end: Key(2400), limit: 1500, reverse: true));

        AssertKeys(Enumerable.Range(900, 1500).Reverse(), entries);
        Assert.Equal([1000U, 800U, 100U], store.ScanLimits);
    }

    [Fact]
    public async Task ScanAsync_ReverseNoLimit_ReturnsAllDescending()
    {
        FakeStore store = Filled(maxScanPage: 999);
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node);

        List<KeyValuePair<byte[], byte[]>> entries = await CollectAsync(client.ScanAsync(reverse: true));

        AssertKeys(Enumerable.Range(0, KeyCount).Reverse(), entries);
    }

    [Fact]
    public async Task ScanAsync_EmptyTruncatedPage_ThrowsInsteadOfLooping()
    {
        await using var node = new FakeNode(_ => new Response { Scan = new ScanResponse { Truncated = true } });
        await using ActorLsmClient client = Clients.For(node);

        var error = await Assert.ThrowsAsync<ActorLsmException>(() => CollectAsync(client.ScanAsync()));

        Assert.Equal(ErrorCode.Internal, error.Code);
    }

    [Fact]
    public void ScanAsync_NegativeLimit_ThrowsArgumentOutOfRange()
    {
        var client = new ActorLsmClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => client.ScanAsync(limit: -1));
        Assert.True(client.DisposeAsync().IsCompletedSuccessfully);
    }
}
