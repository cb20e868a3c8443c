using System.Diagnostics.Metrics;
using ActorLsm.Protocol;
using ActorLsm.Server.Hosting;
using ActorLsm.Server.Tests.Support;
using ActorLsm.Shards;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Protocol;

/// <summary>Request dispatch over one raw connection: every op, error codes, pipelining, metrics, shutdown.</summary>
public sealed class DispatchTests : IAsyncLifetime
{
    private readonly InMemoryNodeStore _store = new() { MaxScanLimit = 3 };
    private ActorLsmServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServers.StartAsync(_store, "actorlsm.server.max-in-flight-per-connection = 4");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, ErrorCode> Failures() => new()
    {
        { "argument", ErrorCode.InvalidArgument },
        { "overloaded", ErrorCode.Overloaded },
        { "unavailable", ErrorCode.Unavailable },
        { "timeout", ErrorCode.Timeout },
        { "bug", ErrorCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Request_StoreThrows_MapsToErrorCodeAndKeepsConnection(string failure, ErrorCode expected)
    {
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        _store.Failure = failure switch
        {
            "argument" => () => new ArgumentException("key too large"),
            "overloaded" => () => new OverloadedException("queue full"),
            "unavailable" => () => new ShardUnavailableException("restarting"),
            "timeout" => () => new TimeoutException("slow shard"),
            _ => () => new InvalidOperationException("boom"),
        };

        await conn.SendAsync(new Request { RequestId = 7, Get = new GetRequest { Key = Bytes("k") } });
        Response error = await conn.ReceiveAsync();
        _store.Failure = null;
        await conn.SendAsync(new Request { RequestId = 8, Get = new GetRequest { Key = Bytes("k") } });
        Response ok = await conn.ReceiveAsync();

        Assert.Equal(7UL, error.RequestId);
        Assert.Equal(expected, error.Error.Code);
        Assert.Equal(8UL, ok.RequestId);
        Assert.Equal(Response.BodyOneofCase.Get, ok.BodyCase);
    }

    [Fact]
    public async Task Requests_EveryOp_AnsweredWithMatchingBody()
    {
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        var batch = new BatchRequest();
        foreach (string k in new[] { "a", "b", "c", "d" })
        {
            batch.Ops.Add(new BatchOp { Key = Bytes(k), Value = Bytes("v" + k) });
        }

        batch.Ops.Add(new BatchOp { Key = Bytes("b"), Delete = true });

        Response b = await RoundTripAsync(conn, new Request { RequestId = 1, Batch = batch });
        Response put = await RoundTripAsync(conn, new Request { RequestId = 2, Put = new PutRequest { Key = Bytes("e"), Value = Bytes("ve") } });
        Response del = await RoundTripAsync(conn, new Request { RequestId = 3, Delete = new DeleteRequest { Key = Bytes("a") } });
        Response get = await RoundTripAsync(conn, new Request { RequestId = 4, Get = new GetRequest { Key = Bytes("c") } });
        Response missing = await RoundTripAsync(conn, new Request { RequestId = 5, Get = new GetRequest { Key = Bytes("a") } });
        Response scan = await RoundTripAsync(conn, new Request { RequestId = 6, Scan = new ScanRequest { Start = Bytes("c"), Reverse = true, Limit = 0 } });
        Response status = await RoundTripAsync(conn, new Request { RequestId = 7, Status = new StatusRequest() });
        Response badScan = await RoundTripAsync(conn, new Request { RequestId = 8, Scan = new ScanRequest { Start = Bytes("z"), End = Bytes("a") } });

        Assert.Equal(1U, b.Batch.Shards);
        Assert.True(put.Put.Sequence > 0);
        Assert.True(del.Delete.Sequence > put.Put.Sequence);
        Assert.Equal("vc", get.Get.Value.ToStringUtf8());
        Assert.False(missing.Get.Found);
        Assert.Equal(["e", "d", "c"], scan.Scan.Entries.Select(e => e.Key.ToStringUtf8()));
        Assert.False(scan.Scan.Truncated);
        Assert.Equal(1U, status.Status.ShardCount);
        Assert.Equal(3UL, status.Status.Shards[0].Flushes);
        Assert.Equal(ErrorCode.InvalidArgument, badScan.Error.Code);
    }

    [Fact]
    public async Task Requests_PipelinedPastInFlightBound_AllAnsweredOnceGateOpens()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        const int count = 50;

        byte[] frames = [.. Enumerable.Range(1, count).SelectMany(i => RawConnection.Frame(
            new Request { RequestId = (ulong)i, Put = new PutRequest { Key = Bytes($"p{i:D3}"), Value = Bytes("x") } }))];
        await conn.SendRawAsync(frames);
        gate.SetResult();
        var ids = new HashSet<ulong>();
        for (int i = 0; i < count; i++)
        {
            Response r = await conn.ReceiveAsync();
            Assert.Equal(Response.BodyOneofCase.Put, r.BodyCase);
            ids.Add(r.RequestId);
        }

        Assert.Equal(count, ids.Count);
    }

    [Fact]
    public async Task Metrics_RequestsAndConnections_AreCounted()
    {
        var requests = new List<(long Value, string? Op, string? Status)>();
        long connectionsOpened = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _server.Metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            KeyValuePair<string, object?>[] tagList = tags.ToArray();
            string? Tag(string name) => tagList.FirstOrDefault(t => t.Key == name).Value as string;
            lock (requests)
            {
                if (instrument.Name == "actorlsm.requests")
                {
                    requests.Add((value, Tag("op"), Tag("status")));
                }
                else if (instrument.Name == "actorlsm.connections")
                {
                    connectionsOpened += value > 0 ? 1 : 0;
                }
            }
        });
        listener.Start();

        await using (RawConnection conn = await RawConnection.ConnectAsync(_server.Port))
        {
            await RoundTripAsync(conn, new Request { RequestId = 1, Put = new PutRequest { Key = Bytes("m"), Value = Bytes("1") } });
            _store.Failure = () => new OverloadedException();
            await RoundTripAsync(conn, new Request { RequestId = 2, Get = new GetRequest { Key = Bytes("m") } });
            _store.Failure = null;
        }

        lock (requests)
        {
            Assert.Contains((1L, "put", "ok"), requests);
            Assert.Contains((1L, "get", "overloaded"), requests);
            Assert.True(connectionsOpened >= 1);
        }

        Assert.Equal("ActorLsm", _server.Metrics.Meter.Name);
    }

    [Fact]
    public async Task Responses_ReadyAtOnce_FlushedByTheReadLoopAndLateOnesByTheWriterLoop()
    {
        long readFlushes = 0;
        long writerFlushes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _server.Metrics.Meter && instrument.Name == "actorlsm.response.flushes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "loop")
                {
                    Interlocked.Add(ref (string?)tag.Value == "read" ? ref readFlushes : ref writerFlushes, value);
                }
            }
        });
        listener.Start();
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        await RoundTripAsync(conn, new Request { RequestId = 1, Put = new PutRequest { Key = Bytes("g"), Value = Bytes("v") } });

        // Sixteen gets in one write: the store answers each at once, so the read loop writes them.
        const int count = 16;
        byte[] frames = [.. Enumerable.Range(0, count).SelectMany(i => RawConnection.Frame(
            new Request { RequestId = (ulong)(100 + i), Get = new GetRequest { Key = Bytes("g") } }))];
        await conn.SendRawAsync(frames);
        for (int i = 0; i < count; i++)
        {
            Response r = await conn.ReceiveAsync();
            Assert.Equal("v", r.Get.Value.ToStringUtf8());
        }

        long readAfterGets = Interlocked.Read(ref readFlushes);
        long writerAfterGets = Interlocked.Read(ref writerFlushes);

        // A put the store holds back completes later: the writer loop writes its response.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        await conn.SendAsync(new Request { RequestId = 200, Put = new PutRequest { Key = Bytes("late"), Value = Bytes("v") } });
        await _store.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The put reached the store while the read loop may still be inside the dispatch of its frame; a
        // response ready when that dispatch ends is the read loop's to write. A shard-map request (answered
        // without the store) round-trips first: once its answer is here, that dispatch has ended and the
        // read loop waits on the socket, so the put's answer can only be the writer loop's.
        Response map = await RoundTripAsync(conn, new Request { RequestId = 199, ShardMap = new ShardMapRequest() });
        gate.SetResult();
        Response late = await conn.ReceiveAsync();
        _store.Gate = null;

        Assert.Equal(Response.BodyOneofCase.ShardMap, map.BodyCase);
        Assert.True(readAfterGets >= 2, $"read-loop flushes after the put and the gets: {readAfterGets}");
        Assert.Equal(0, writerAfterGets);
        Assert.Equal(200UL, late.RequestId);
        Assert.Equal(1, Interlocked.Read(ref writerFlushes));
    }

    [Fact]
    public async Task StopAsync_RequestInFlight_AnsweredBeforeShardsClose()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RawConnection conn = await RawConnection.ConnectAsync(_server.Port);
        await RoundTripAsync(conn, new Request { RequestId = 1, Status = new StatusRequest() });
        _store.Gate = gate.Task;

        await conn.SendAsync(new Request { RequestId = 2, Put = new PutRequest { Key = Bytes("late"), Value = Bytes("v") } });
        await _store.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Task<bool> stopping = _server.StopAsync();
        Assert.False(_store.Disposed);
        gate.SetResult();
        Response answer = await conn.ReceiveAsync();
        bool drained = await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2UL, answer.RequestId);
        Assert.Equal(Response.BodyOneofCase.Put, answer.BodyCase);
        Assert.True(drained);
        Assert.True(_store.Disposed);
        Assert.True(await conn.IsClosedByServerAsync());
    }

    private static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    private static async Task<Response> RoundTripAsync(RawConnection conn, Request request)
    {
        await conn.SendAsync(request);
        Response response = await conn.ReceiveAsync();
        Assert.Equal(request.RequestId, response.RequestId);
        return response;
    }
}

/// <summary>actorlsm.server.request-timeout bounds a request end to end.</summary>
public sealed class RequestTimeoutTests
{
    [Fact]
    public async Task Request_StoreNeverAnswers_TimeoutAfterRequestTimeout()
    {
        var never = new TaskCompletionSource();
        var store = new InMemoryNodeStore { Gate = never.Task };
        await using ActorLsmServer server = await TestServers.StartAsync(store, "actorlsm.server.request-timeout = 200ms\nactorlsm.server.shutdown-timeout = 1s");
        await using RawConnection conn = await RawConnection.ConnectAsync(server.Port);

        await conn.SendAsync(new Request { RequestId = 9, Get = new GetRequest { Key = ByteString.CopyFromUtf8("k") } });
        Response response = await conn.ReceiveAsync();

        Assert.Equal(9UL, response.RequestId);
        Assert.Equal(ErrorCode.Timeout, response.Error.Code);
    }
}
