using System.Text;
using ActorLsm.Client;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;

namespace ActorLsm.Server.Tests.EndToEnd;

/// <summary>The real client against an in-process node over the real shards on 127.0.0.1.</summary>
public sealed class ClientEndToEndTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ActorLsmServer _server = null!;
    private ActorLsmClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServers.StartAsync(_dir.Path, "actorlsm.storage.max-key-size = 1KiB");
        _client = ActorLsmClient.Create(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Client_PutGetDelete_RoundTrip()
    {
        ulong first = await _client.PutAsync(B("alpha"), B("1"));
        ulong second = await _client.PutAsync(B("alpha"), B("2"));
        byte[]? value = await _client.GetAsync(B("alpha"));
        await _client.DeleteAsync(B("alpha"));
        byte[]? deleted = await _client.GetAsync(B("alpha"));

        Assert.True(second > first);
        Assert.Equal("2", S(value));
        Assert.Null(deleted);
        Assert.Null(await _client.GetAsync(B("never-written")));
    }

    [Fact]
    public async Task Client_PutWithExpiry_GetWithExpiryReturnsItAndAPastExpiryHidesTheKey()
    {
        DateTimeOffset inAnHour = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());
        await _client.PutAsync(B("ttl-a"), B("1"), inAnHour);
        await _client.PutAsync(B("ttl-b"), B("2"), DateTimeOffset.UtcNow.AddSeconds(-1));
        await _client.PutAsync(B("ttl-c"), B("3"));

        StoredValue? a = await _client.GetWithExpiryAsync(B("ttl-a"));
        Assert.Equal("1", S(a?.Value));
        Assert.Equal(inAnHour, a?.ExpiresAt);
        Assert.Null(await _client.GetWithExpiryAsync(B("ttl-b")));
        Assert.Null(await _client.GetAsync(B("ttl-b")));
        Assert.Null((await _client.GetWithExpiryAsync(B("ttl-c")))?.ExpiresAt);
        Assert.Equal(["ttl-a", "ttl-c"], await KeysAsync(_client.ScanAsync(B("ttl-"), B("ttl."))));
    }

    [Fact]
    public async Task Client_ExpireAbsoluteRelativeAndPersist_ChangeOnlyTheExpiry()
    {
        await _client.PutAsync(B("exp"), B("v"));
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds());
        Assert.True(await _client.ExpireAsync(B("exp"), at));
        Assert.Equal(at, (await _client.GetWithExpiryAsync(B("exp")))?.ExpiresAt);

        DateTimeOffset before = DateTimeOffset.UtcNow;
        Assert.True(await _client.ExpireAfterAsync(B("exp"), TimeSpan.FromMinutes(3)));
        DateTimeOffset after = DateTimeOffset.UtcNow;
        StoredValue? relative = await _client.GetWithExpiryAsync(B("exp"));
        Assert.Equal("v", S(relative?.Value));
        Assert.InRange(relative!.Value.ExpiresAt!.Value, before.AddMinutes(3).AddMilliseconds(-1), after.AddMinutes(3));

        Assert.True(await _client.ExpireAsync(B("exp"), null));
        Assert.Null((await _client.GetWithExpiryAsync(B("exp")))?.ExpiresAt);
        Assert.True(await _client.ExpireAfterAsync(B("exp"), TimeSpan.Zero));
        Assert.Null(await _client.GetAsync(B("exp")));
        Assert.False(await _client.ExpireAsync(B("exp"), at));
        Assert.False(await _client.ExpireAfterAsync(B("never"), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task Client_BatchWithExpiries_StoresEachOpsExpiry()
    {
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds());
        await _client.BatchAsync([WriteOp.Put(B("bx-1"), B("1"), at), WriteOp.Put(B("bx-2"), B("2")), WriteOp.Put(B("bx-3"), B("3"), DateTimeOffset.UtcNow.AddSeconds(-5))]);
        Assert.Equal(at, (await _client.GetWithExpiryAsync(B("bx-1")))?.ExpiresAt);
        Assert.Null((await _client.GetWithExpiryAsync(B("bx-2")))?.ExpiresAt);
        Assert.Null(await _client.GetAsync(B("bx-3")));
    }

    [Fact]
    public async Task Client_ScanWithBoundsReverseAndLimit_ReturnsKeyOrder()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _client.PutAsync(B($"s{i:D3}"), B($"v{i}"))));

        List<string> bounded = await KeysAsync(_client.ScanAsync(B("s010"), B("s020")));
        List<string> reversed = await KeysAsync(_client.ScanAsync(B("s010"), B("s020"), limit: 4, reverse: true));
        List<string> fromStart = await KeysAsync(_client.ScanAsync(end: B("s003")));
        List<string> all = await KeysAsync(_client.ScanAsync(B("s"), B("t")));

        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"s{i:D3}"), bounded);
        Assert.Equal(["s019", "s018", "s017", "s016"], reversed);
        Assert.Equal(["s000", "s001", "s002"], fromStart);
        Assert.Equal(100, all.Count);
    }

    [Fact]
    public async Task Client_Batch_AppliesPutsAndDeletes()
    {
        await _client.PutAsync(B("b-gone"), B("x"));
        var ops = Enumerable.Range(0, 20).Select(i => new WriteOp(B($"b{i:D2}"), B($"v{i}"))).Append(new WriteOp(B("b-gone"), null)).ToList();

        int shards = await _client.BatchAsync(ops);

        Assert.InRange(shards, 1, 4);
        Assert.Equal("v7", S(await _client.GetAsync(B("b07"))));
        Assert.Null(await _client.GetAsync(B("b-gone")));
        Assert.Equal(20, (await KeysAsync(_client.ScanAsync(B("b0"), B("b9")))).Count);
    }

    [Fact]
    public async Task Client_1000PipelinedRequestsFrom8Tasks_AllAcknowledgedAndReadable()
    {
        const int tasks = 8, perTask = 125;

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t =>
            Task.WhenAll(Enumerable.Range(0, perTask).Select(i => _client.PutAsync(B($"p{t}-{i:D3}"), B($"{t}:{i}"))))));
        byte[]?[] values = await Task.WhenAll(Enumerable.Range(0, tasks * perTask).Select(n => _client.GetAsync(B($"p{n / perTask}-{n % perTask:D3}"))));

        for (int n = 0; n < values.Length; n++)
        {
            Assert.Equal($"{n / perTask}:{n % perTask}", S(values[n]));
        }
    }

    [Fact]
    public async Task Client_KeyOverLimit_ArgumentExceptionAndNothingWritten()
    {
        byte[] key = Encoding.ASCII.GetBytes("o" + new string('x', 1024));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => _client.PutAsync(key, B("v")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => _client.BatchAsync([new WriteOp(B("o-small"), B("v")), new WriteOp(key, B("v"))]));

        Assert.Empty(await KeysAsync(_client.ScanAsync(B("o"), B("p"))));
        Assert.Equal("still", S(await PutThenGetAsync("o-after", "still")));
    }

    [Fact]
    public async Task Status_RealShards_ReportsEveryShard()
    {
        var status = await _client.StatusAsync();

        Assert.Equal(4U, status.ShardCount);
        Assert.Equal(4, status.Shards.Count);
        Assert.All(status.Shards, s => Assert.Equal("running", s.State));
    }

    [Fact]
    public async Task StopAsync_ThenRestartOnSameDir_AcknowledgedWritesPresent()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _client.PutAsync(B($"r{i:D3}"), B($"v{i}"))));
        await _client.DisposeAsync();
        Assert.True(await _server.StopAsync());
        await _server.DisposeAsync();

        _server = await TestServers.StartAsync(_dir.Path);
        _client = ActorLsmClient.Create(_server.Endpoint);

        Assert.Equal(200, (await KeysAsync(_client.ScanAsync(B("r"), B("s")))).Count);
        Assert.Equal("v123", S(await _client.GetAsync(B("r123"))));
    }

    private async Task<byte[]?> PutThenGetAsync(string key, string value)
    {
        await _client.PutAsync(B(key), B(value));
        return await _client.GetAsync(B(key));
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string? S(byte[]? b) => b is null ? null : Encoding.UTF8.GetString(b);

    private static async Task<List<string>> KeysAsync(IAsyncEnumerable<KeyValuePair<byte[], byte[]>> scan)
    {
        var keys = new List<string>();
        await foreach (KeyValuePair<byte[], byte[]> entry in scan)
        {
            keys.Add(Encoding.UTF8.GetString(entry.Key));
        }

        return keys;
    }
}
