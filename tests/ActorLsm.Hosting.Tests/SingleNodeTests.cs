using System.Text;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorLsm.Hosting.Tests;

/// <summary>WithActorLsm on the local provider: the store through IActorLsm and through the router's messages.</summary>
public sealed class SingleNodeTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private HostedStore _store = null!;

    public async Task InitializeAsync() => _store = await HostedStore.StartSingleAsync(_dir.Path, shards: 4);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task InClusterClient_PutGetDeleteScanBatch_BehaveAsAStore()
    {
        IActorLsm store = _store.Store;
        ulong seq = await store.PutAsync(B("cart:1"), B("a"));
        Assert.True(seq > 0);
        Assert.Equal(B("a"), await store.GetAsync(B("cart:1")));
        Assert.Null(await store.GetAsync(B("cart:missing")));

        Assert.Equal(0, await store.BatchAsync([]));
        int shards = await store.BatchAsync([.. Enumerable.Range(2, 9).Select(i => WriteOp.Put(B($"cart:{i}"), B($"v{i}"))), WriteOp.Delete(B("cart:1"))]);
        Assert.InRange(shards, 1, 4);
        Assert.Null(await store.GetAsync(B("cart:1")));

        await store.DeleteAsync(B("cart:2"));
        var keys = new List<string>();
        await foreach (KeyValuePair<byte[], byte[]> e in store.ScanAsync(B("cart:"), B("cart;")))
        {
            keys.Add(Encoding.UTF8.GetString(e.Key));
        }

        Assert.Equal([.. Enumerable.Range(3, 8).Select(i => $"cart:{i}").Order(StringComparer.Ordinal)], keys);

        var reversed = new List<string>();
        await foreach (KeyValuePair<byte[], byte[]> e in store.ScanAsync(null, null, limit: 3, reverse: true))
        {
            reversed.Add(Encoding.UTF8.GetString(e.Key));
        }

        Assert.Equal(["cart:9", "cart:8", "cart:7"], reversed);
    }

    [Fact]
    public async Task InClusterClient_PutWithExpiryExpireAndPersist_RoundTripThroughTheRouter()
    {
        IActorLsm store = _store.Store;
        DateTimeOffset inAnHour = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
        await store.PutAsync(B("ttl:1"), B("a"), inAnHour);
        Assert.Equal(new StoredValue(B("a"), inAnHour).ExpiresAt, (await store.GetWithExpiryAsync(B("ttl:1")))?.ExpiresAt);

        Assert.True(await store.ExpireAsync(B("ttl:1"), null));
        StoredValue? persisted = await store.GetWithExpiryAsync(B("ttl:1"));
        Assert.Equal(B("a"), persisted?.Value);
        Assert.Null(persisted?.ExpiresAt);

        DateTimeOffset before = DateTimeOffset.UtcNow;
        Assert.True(await store.ExpireAfterAsync(B("ttl:1"), TimeSpan.FromMinutes(10)));
        DateTimeOffset after = DateTimeOffset.UtcNow;
        DateTimeOffset? relative = (await store.GetWithExpiryAsync(B("ttl:1")))?.ExpiresAt;
        Assert.NotNull(relative);
        Assert.InRange(relative.Value, before.AddMinutes(10).AddMilliseconds(-1), after.AddMinutes(10));

        Assert.True(await store.ExpireAsync(B("ttl:1"), DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Null(await store.GetAsync(B("ttl:1")));
        Assert.False(await store.ExpireAsync(B("ttl:1"), inAnHour));

        await store.BatchAsync([WriteOp.Put(B("ttl:2"), B("b"), DateTimeOffset.UtcNow.AddSeconds(-1)), WriteOp.Put(B("ttl:3"), B("c"), inAnHour)]);
        Assert.Null(await store.GetAsync(B("ttl:2")));
        Assert.Equal(inAnHour, (await store.GetWithExpiryAsync(B("ttl:3")))?.ExpiresAt);
    }

    [Fact]
    public async Task InClusterClient_ValueOverLimit_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.Store.PutAsync(new byte[70 * 1024], B("v")));
    }

    [Fact]
    public void Router_Messages_AnswerWithResultRecordsAndCorrelationIds()
    {
        TestProbe probe = CreateTestProbe(_store.System);
        IActorRef router = _store.Router;

        router.Tell(new Put(B("k1"), B("v1"), 1), probe.Ref);
        Assert.Equal(1, probe.ExpectMsg<PutResult>().CorrelationId);
        router.Tell(new Messages.Get(B("k1"), 2), probe.Ref);
        GetResult got = probe.ExpectMsg<GetResult>();
        Assert.Equal((2L, "v1"), (got.CorrelationId, Encoding.UTF8.GetString(got.Value!)));

        router.Tell(new WriteBatch([WriteOp.Put(B("k2"), B("v2")), WriteOp.Put(B("k3"), B("v3"))], 3), probe.Ref);
        Assert.Equal(3, probe.ExpectMsg<WriteBatchResult>().CorrelationId);
        router.Tell(new Delete(B("k1"), 4), probe.Ref);
        Assert.Equal(4, probe.ExpectMsg<DeleteResult>().CorrelationId);
        router.Tell(new Scan(null, null, 0, false, 5), probe.Ref);
        ScanResult scan = probe.ExpectMsg<ScanResult>();
        Assert.Equal((5L, false), (scan.CorrelationId, scan.Truncated));
        Assert.Equal(["k2", "k3"], scan.Entries.Select(e => Encoding.UTF8.GetString(e.Key)));
    }

    [Fact]
    public void Router_PutResentWithTheSameSessionStamp_AnsweredWithTheFirstSequenceAndAppliedOnce_R11()
    {
        TestProbe probe = CreateTestProbe(_store.System);
        IActorRef router = _store.Router;
        var stamp = new WriteSessionStamp(Guid.NewGuid(), 1, 1, 0);

        router.Tell(new Put(B("once"), B("first"), 1, null, stamp), probe.Ref);
        PutResult first = probe.ExpectMsg<PutResult>();
        router.Tell(new Put(B("once"), B("second"), 2, null, stamp with { ResendAgeMs = 100 }), probe.Ref);
        PutResult again = probe.ExpectMsg<PutResult>();
        router.Tell(new Messages.Get(B("once"), 3), probe.Ref);
        GetResult got = probe.ExpectMsg<GetResult>();

        Assert.Equal(first.Sequence, again.Sequence);
        Assert.Equal(2, again.CorrelationId);
        Assert.Equal("first", Encoding.UTF8.GetString(got.Value!));
    }

    [Fact]
    public void Router_KeyOverLimit_RepliesInvalidArgumentError()
    {
        TestProbe probe = CreateTestProbe(_store.System);
        _store.Router.Tell(new Messages.Get(new byte[70 * 1024], 9), probe.Ref);
        ActorLsmError error = probe.ExpectMsg<ActorLsmError>();
        Assert.Equal((ErrorCode.InvalidArgument, 9L), (error.Code, error.CorrelationId));
    }
}
