using StackExchange.Redis;

namespace ActorLsm.Resp.Tests;

/// <summary>A single node driven by StackExchange.Redis 3.4.35, RESP2 and RESP3.</summary>
public sealed class StackExchangeRedisTests(RespNodeFixture fixture) : IClassFixture<RespNodeFixture>
{
    private async Task<ConnectionMultiplexer> ConnectAsync(RedisProtocol protocol = RedisProtocol.Resp2)
    {
        var options = ConfigurationOptions.Parse(fixture.Node.Endpoint);
        options.Protocol = protocol;
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 20_000;
        options.SyncTimeout = 20_000;
        options.AsyncTimeout = 20_000;
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task StringCommands_RealClient_BehaveAsRedis(RedisProtocol protocol)
    {
        await using ConnectionMultiplexer redis = await ConnectAsync(protocol);
        IDatabase db = redis.GetDatabase();
        string p = "se" + protocol + ":";

        Assert.True(await db.StringSetAsync(p + "a", "hello"));
        Assert.Equal("hello", (string?)await db.StringGetAsync(p + "a"));
        Assert.False(await db.StringSetAsync(p + "a", "x", when: When.NotExists));
        Assert.True(await db.StringSetAsync(p + "b", "x", when: When.NotExists));
        Assert.Equal(6, await db.StringAppendAsync(p + "b", "yzuvw"));
        Assert.Equal("yzu", (string?)await db.StringGetRangeAsync(p + "b", 1, 3));
        Assert.Equal(5, await db.StringIncrementAsync(p + "n", 5));
        Assert.Equal(3, await db.StringDecrementAsync(p + "n", 2));
        Assert.Equal(4.5, await db.StringIncrementAsync(p + "n", 1.5));
        Assert.Equal("hello", (string?)await db.StringGetSetAsync(p + "a", "bye"));
        Assert.Equal("bye", (string?)await db.StringGetDeleteAsync(p + "a"));
        Assert.False(await db.KeyExistsAsync(p + "a"));
        Assert.True(await db.StringSetAsync([new("{" + p + "}x", "1"), new("{" + p + "}y", "2")]));
        RedisValue[] both = await db.StringGetAsync(["{" + p + "}x", "{" + p + "}y", "{" + p + "}none"]);
        Assert.Equal(["1", "2", RedisValue.Null], both);
        Assert.Equal(2, await db.KeyDeleteAsync(["{" + p + "}x", "{" + p + "}y"]));
        Assert.Equal(8, await db.StringSetRangeAsync(p + "r", 3, "hello"));
        Assert.Equal("\0\0\0hello", (string?)await db.StringGetAsync(p + "r"));
    }

    [Fact]
    public async Task Errors_RealClient_RedisWording()
    {
        await using ConnectionMultiplexer redis = await ConnectAsync();
        IDatabase db = redis.GetDatabase();
        await db.StringSetAsync("err:text", "abc");

        var notInteger = await Assert.ThrowsAsync<RedisServerException>(() => db.StringIncrementAsync("err:text"));
        var crossSlot = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("MSET", "err:a", "1", "err:b", "2"));
        var unknown = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("NOSUCH", "x"));
        var arity = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("GET"));

        Assert.Equal("ERR value is not an integer or out of range", notInteger.Message);
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", crossSlot.Message);
        Assert.Equal("ERR unknown command 'NOSUCH', with args beginning with: 'x' ", unknown.Message);
        Assert.Equal("ERR wrong number of arguments for 'get' command", arity.Message);
    }

    [Fact]
    public async Task Expire_RealClient_TtlStoredByTheEngineAndExpiredKeyInvisible()
    {
        await using ConnectionMultiplexer redis = await ConnectAsync();
        IDatabase db = redis.GetDatabase();
        await db.StringSetAsync("ttl:long", "v");
        Assert.Null(await db.KeyTimeToLiveAsync("ttl:long")); // no expiry yet (TTL -1)
        Assert.True(await db.KeyExpireAsync("ttl:long", TimeSpan.FromHours(1)));
        TimeSpan? left = await db.KeyTimeToLiveAsync("ttl:long");
        Assert.True(left is { } l && l > TimeSpan.FromMinutes(59) && l <= TimeSpan.FromHours(1), $"TTL {left}");
        Assert.True(await db.KeyPersistAsync("ttl:long"));
        Assert.Null(await db.KeyTimeToLiveAsync("ttl:long"));
        Assert.False(await db.KeyExpireAsync("ttl:absent", TimeSpan.FromSeconds(5)));

        // Already in the past: the engine hides it from GET, EXISTS and SCAN at once.
        await db.StringSetAsync("ttl:gone", "v");
        await db.ExecuteAsync("PEXPIREAT", "ttl:gone", DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());
        Assert.False((await db.StringGetAsync("ttl:gone")).HasValue);
        Assert.False(await db.KeyExistsAsync("ttl:gone"));
        RedisResult scanned = await db.ExecuteAsync("SCAN", "0", "MATCH", "ttl:*", "COUNT", "1000");
        Assert.DoesNotContain("ttl:gone", ((RedisResult[])scanned!)[1].ToString(), StringComparison.Ordinal);

        await db.StringSetAsync("ttl:ex", "v", TimeSpan.FromSeconds(30));
        Assert.True(await db.KeyTimeToLiveAsync("ttl:ex") is { } ex && ex > TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Pipeline_ManyGetsOverEveryShard_EachGetsItsOwnValue()
    {
        await using ConnectionMultiplexer redis = await ConnectAsync();
        IDatabase db = redis.GetDatabase();
        const int n = 300;
        await Task.WhenAll(Enumerable.Range(0, n).Where(i => i % 3 != 0).Select(i => db.StringSetAsync("pget:" + i, "v" + i)));

        RedisValue[] values = await Task.WhenAll(Enumerable.Range(0, n).Select(i => db.StringGetAsync("pget:" + i)));

        Assert.All(Enumerable.Range(0, n), i => Assert.Equal(i % 3 == 0 ? RedisValue.Null : (RedisValue)("v" + i), values[i]));
    }

    [Fact]
    public async Task Pipeline_ManyAsyncIncrementsOfOneKey_EveryReplyDistinctAndFinalCount()
    {
        await using ConnectionMultiplexer redis = await ConnectAsync();
        IDatabase db = redis.GetDatabase();
        const int n = 500;

        long[] replies = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => db.StringIncrementAsync("pipe:counter")));

        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), replies.Order());
        Assert.Equal(n, (long)await db.StringGetAsync("pipe:counter"));
    }

    [Fact]
    public async Task Keys_ScanThroughServer_EveryKeyOnce()
    {
        await using ConnectionMultiplexer redis = await ConnectAsync();
        IDatabase db = redis.GetDatabase();
        for (int i = 0; i < 60; i++)
        {
            await db.StringSetAsync("scan:" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), i);
        }

        IServer server = redis.GetServer(fixture.Node.Endpoint);
        string[] keys = [.. server.Keys(pattern: "scan:*", pageSize: 7).Select(k => (string)k!)];

        Assert.Equal(60, keys.Length);
        Assert.Equal(60, keys.Distinct().Count());
        Assert.All(keys, k => Assert.StartsWith("scan:", k, StringComparison.Ordinal));
    }
}
