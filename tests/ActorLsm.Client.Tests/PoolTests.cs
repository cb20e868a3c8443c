using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests;

public sealed class PoolTests
{
    [Fact]
    public async Task GetAsync_ThreeConnectionsPerEndpoint_RequestsSpreadRoundRobin()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, connections: 3);

        Task<byte[]?>[] gets = [.. Enumerable.Range(0, 6).Select(i => client.GetAsync(Clients.Bytes($"k{i}")))];
        var received = new List<ReceivedRequest>();
        for (int i = 0; i < gets.Length; i++)
        {
            received.Add(await node.NextRequestAsync());
        }

        foreach (ReceivedRequest request in received)
        {
            await request.Connection.SendAsync(new Response { RequestId = request.Request.RequestId, Get = new GetResponse() });
        }

        await Task.WhenAll(gets).Bounded();
        Assert.Equal(3, node.AcceptedCount);
        Assert.All(received.GroupBy(r => r.Connection), group => Assert.Equal(2, group.Count()));
    }

    [Fact]
    public async Task PutAsync_TwoEndpoints_BothNodesServeRequests()
    {
        var first = new FakeStore();
        var second = new FakeStore();
        await using var nodeA = new FakeNode(first.Handle);
        await using var nodeB = new FakeNode(second.Handle);
        await using var client = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = [nodeA.Endpoint, nodeB.Endpoint],
            ShardRouting = false,
            ConnectionsPerEndpoint = 1,
            RequestTimeout = FakeNode.WaitLimit,
        });

        for (int i = 0; i < 10; i++)
        {
            await client.PutAsync(Clients.Bytes($"k{i}"), Clients.Bytes("v")).Bounded();
        }

        Assert.Equal(5, first.Count);
        Assert.Equal(5, second.Count);
    }
}
