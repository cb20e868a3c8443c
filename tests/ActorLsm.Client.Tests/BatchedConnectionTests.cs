using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorLsm.Client.Tests.Fakes;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Tests;

/// <summary>
/// One connection shared by many concurrent callers: frames gathered into shared writes, responses
/// completed in batches by the reader, with continuations on the thread pool (default) or on the
/// reader (<see cref="ActorLsmClientOptions.InlineCompletions"/>).
/// </summary>
public sealed class BatchedConnectionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetAsync_ManyConcurrentCallersOneConnection_EachGetsItsOwnValue(bool inline)
    {
        const int callers = 64;
        const int rounds = 20;
        var store = new FakeStore();
        for (int i = 0; i < callers * rounds; i++)
        {
            store.Add(Clients.Bytes($"k{i}"), Clients.Bytes($"value of k{i}"));
        }

        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node, connections: 1, inlineCompletions: inline);

        // Each caller reads its own keys back to back, so its next request is sent by its continuation.
        var wrong = new ConcurrentBag<string>();
        var loops = new Task[callers];
        for (int c = 0; c < callers; c++)
        {
            int caller = c;
            loops[c] = Task.Run(async () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    int key = (r * callers) + caller;
                    string got = Clients.Text(await client.GetAsync(Clients.Bytes($"k{key}")));
                    if (got != $"value of k{key}")
                    {
                        wrong.Add($"caller {caller} round {r}: {got}");
                    }
                }
            });
        }

        await Task.WhenAll(loops).Bounded();

        Assert.Empty(wrong);
        Assert.Equal(1, node.AcceptedCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetAsync_ErrorsAmongPipelinedResponses_EachErrorReachesItsOwnCaller(bool inline)
    {
        const int count = 48;
        // Every third key is refused as INVALID_ARGUMENT, every third + 1 as INTERNAL, the rest found.
        await using var node = new FakeNode(request =>
        {
            int index = int.Parse(request.Get.Key.ToStringUtf8()[1..], System.Globalization.CultureInfo.InvariantCulture);
            return (index % 3) switch
            {
                0 => new Response { Error = new Error { Code = ErrorCode.InvalidArgument, Message = $"bad k{index}" } },
                1 => new Response { Error = new Error { Code = ErrorCode.Internal, Message = $"broken k{index}" } },
                _ => new Response { Get = new GetResponse { Found = true, Value = ByteString.CopyFromUtf8($"v{index}") } },
            };
        });
        await using ActorLsmClient client = Clients.For(node, connections: 1, inlineCompletions: inline);

        var gets = new Task<byte[]?>[count];
        for (int i = 0; i < count; i++)
        {
            gets[i] = client.GetAsync(Clients.Bytes($"k{i}"));
        }

        for (int i = 0; i < count; i++)
        {
            switch (i % 3)
            {
                case 0:
                    var invalid = await Assert.ThrowsAsync<ArgumentException>(() => gets[i].Bounded());
                    Assert.Contains($"bad k{i}", invalid.Message, StringComparison.Ordinal);
                    break;
                case 1:
                    var internalError = await Assert.ThrowsAsync<ActorLsmException>(() => gets[i].Bounded());
                    Assert.Equal(ErrorCode.Internal, internalError.Code);
                    Assert.Contains($"broken k{i}", internalError.Message, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Equal($"v{i}", Clients.Text(await gets[i].Bounded()));
                    break;
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetAsync_ConnectionBreaksWithManyPending_EveryPendingCallerFails(bool inline)
    {
        const int count = 32;
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, connections: 1, inlineCompletions: inline);

        var gets = new Task<byte[]?>[count];
        for (int i = 0; i < count; i++)
        {
            gets[i] = client.GetAsync(Clients.Bytes($"k{i}"));
        }

        ReceivedRequest first = await node.NextRequestAsync();
        for (int i = 1; i < count; i++)
        {
            await node.NextRequestAsync();
        }

        // Answer one, then drop the connection under the other 31.
        await first.Connection.SendAsync(new Response { RequestId = first.Request.RequestId, Get = new GetResponse() });
        first.Connection.Abort();

        int failed = 0;
        int answered = 0;
        foreach (Task<byte[]?> get in gets)
        {
            try
            {
                Assert.Null(await get.Bounded());
                answered++;
            }
            catch (ActorLsmConnectionException)
            {
                failed++;
            }
        }

        // The answer may or may not have been read before the reset; every other caller fails.
        Assert.True(answered <= 1, $"{answered} callers got an answer, only one was sent");
        Assert.Equal(count, failed + answered);
    }

    [Fact]
    public async Task GetAsync_InlineCompletionsResponsesInOneRead_ContinuationsRunOnReaderAndNextRequestsShareOneWrite()
    {
        const int callers = 8;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using ActorLsmClient client = Clients.For($"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", inlineCompletions: true);

        var threads = new ConcurrentBag<int>();
        var followUps = new Task<byte[]?>[callers];
        var firsts = new Task[callers];
        for (int i = 0; i < callers; i++)
        {
            int caller = i;
            Task<byte[]?> get = client.GetAsync(Clients.Bytes($"first-{caller}"));
            firsts[caller] = get.ContinueWith(
                done =>
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                    followUps[caller] = client.GetAsync(Clients.Bytes($"next-{caller}"));
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        using Socket server = await listener.AcceptSocketAsync().WaitAsync(FakeNode.WaitLimit);
        var received = new RawFrames(server);
        List<Request> firstRequests = await received.TakeAsync(callers);

        // All eight answers in one segment: the client reads them in one go.
        var answers = new ArrayBufferWriter<byte>();
        foreach (Request request in firstRequests)
        {
            FrameCodec.WriteFrame(answers, new Response { RequestId = request.RequestId, Get = new GetResponse() });
        }

        await server.SendAsync(answers.WrittenMemory).AsTask().WaitAsync(FakeNode.WaitLimit);
        await Task.WhenAll(firsts).Bounded();
        List<Request> next = await received.TakeAsync(callers);

        Assert.Single(threads.Distinct());
        Assert.All(next, r => Assert.StartsWith("next-", r.Get.Key.ToStringUtf8(), StringComparison.Ordinal));
        Assert.Equal(1, received.ReadsFor(next));
    }

    [Fact]
    public async Task GetAsync_InlineCompletionsFourConnections_ContinuationSendsOnTheConnectionItRunsOn()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, connections: 4, inlineCompletions: true);
        const int steps = 6;
        var chainDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readerThreads = new ConcurrentBag<string?>();

        // One caller's chain: each answer's continuation sends the next get (as a YCSB worker does).
        void Next(int step)
        {
            if (step == steps)
            {
                chainDone.TrySetResult();
                return;
            }

            client.GetAsync(Clients.Bytes($"step-{step}")).ContinueWith(
                _ =>
                {
                    readerThreads.Add(Thread.CurrentThread.Name);
                    Next(step + 1);
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        Next(0);
        var connections = new List<FakeConnection>();
        for (int step = 0; step < steps; step++)
        {
            ReceivedRequest request = await node.NextRequestAsync();
            Assert.Equal($"step-{step}", request.Request.Get.Key.ToStringUtf8());
            connections.Add(request.Connection);
            await request.Connection.SendAsync(new Response { RequestId = request.Request.RequestId, Get = new GetResponse() });
        }

        await chainDone.Task.Bounded();
        Assert.Single(connections.Distinct());
        Assert.Equal(1, node.AcceptedCount);
        Assert.All(readerThreads, name => Assert.Equal("actorlsm-client-reader", name));
    }

    [Fact]
    public async Task GetAsync_ContinuationOnOneReaderSendsOnAnotherConnection_ThatReaderFlushesIt()
    {
        await using var first = new FakeNode();
        await using var second = new FakeNode();
        await using ActorLsmClient toFirst = Clients.For(first, inlineCompletions: true);
        await using ActorLsmClient toSecond = Clients.For(second, inlineCompletions: true);

        // Open the second client's connection, so that the follow-up below is only a frame and a flush.
        Task<byte[]?> warmup = toSecond.GetAsync(Clients.Bytes("warmup"));
        ReceivedRequest warm = await second.NextRequestAsync();
        await warm.Connection.SendAsync(new Response { RequestId = warm.Request.RequestId, Get = new GetResponse() });
        await warmup.Bounded();

        var followUp = new TaskCompletionSource<Task<byte[]?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = toFirst.GetAsync(Clients.Bytes("x")).ContinueWith(
            _ => followUp.SetResult(toSecond.GetAsync(Clients.Bytes("y"))),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        ReceivedRequest x = await first.NextRequestAsync();
        await x.Connection.SendAsync(new Response { RequestId = x.Request.RequestId, Get = new GetResponse() });

        // Sent from the first connection's reader: flushed by it when its dispatch ends.
        ReceivedRequest y = await second.NextRequestAsync();
        await y.Connection.SendAsync(new Response { RequestId = y.Request.RequestId, Get = new GetResponse { Found = true, Value = ByteString.CopyFromUtf8("vy") } });

        Assert.Equal("y", y.Request.Get.Key.ToStringUtf8());
        Assert.Equal("vy", Clients.Text(await (await followUp.Task.Bounded()).Bounded()));
    }

    [Fact]
    public async Task PutAsync_FrameLargerThanRetainedBuffer_SentWholeAndSmallRequestsStillFlow()
    {
        var store = new FakeStore();
        await using var node = new FakeNode(store.Handle);
        await using ActorLsmClient client = Clients.For(node, maxFrameSize: 8 << 20, inlineCompletions: true);
        byte[] large = new byte[3 << 20];
        new Random(7).NextBytes(large);

        await client.PutAsync(Clients.Bytes("large"), large).Bounded();
        await client.PutAsync(Clients.Bytes("small"), Clients.Bytes("s")).Bounded();

        Assert.Equal(large, await client.GetAsync(Clients.Bytes("large")).Bounded());
        Assert.Equal("s", Clients.Text(await client.GetAsync(Clients.Bytes("small")).Bounded()));
    }

    [Fact]
    public async Task GetAsync_InlineCompletionsCancelled_CallerGetsCancellationOffTheCancellingThread()
    {
        await using var node = new FakeNode();
        await using ActorLsmClient client = Clients.For(node, inlineCompletions: true);
        using var cancel = new CancellationTokenSource();

        Task<byte[]?> get = client.GetAsync(Clients.Bytes("k"), cancel.Token);
        await node.NextRequestAsync();
        using var insideCancel = new ThreadLocal<bool>();
        bool ranInsideCancel = true;
        Task observed = get.ContinueWith(_ => ranInsideCancel = insideCancel.Value, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        insideCancel.Value = true;
        cancel.Cancel();
        insideCancel.Value = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.Bounded());
        await observed.Bounded();
        Assert.False(ranInsideCancel, "the caller's continuation ran inside Cancel() on the cancelling thread");
    }

    /// <summary>Request frames read off a raw socket, remembering which receive call delivered each.</summary>
    private sealed class RawFrames(Socket socket)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private readonly List<(Request Request, int Read)> _frames = [];
        private int _filled;
        private int _reads;
        private int _taken;

        /// <summary>The next <paramref name="count"/> requests, receiving as needed.</summary>
        public async Task<List<Request>> TakeAsync(int count)
        {
            while (_frames.Count - _taken < count)
            {
                int n = await socket.ReceiveAsync(_buffer.AsMemory(_filled)).AsTask().WaitAsync(FakeNode.WaitLimit);
                Assert.True(n > 0, "the client closed the connection");
                _filled += n;
                _reads++;
                var pending = new ReadOnlySequence<byte>(_buffer, 0, _filled);
                while (FrameCodec.TryReadFrame(ref pending, FrameCodec.DefaultMaxFrameSize, out ReadOnlySequence<byte> body))
                {
                    _frames.Add((FrameCodec.ParseRequest(body), _reads));
                }

                int consumed = _filled - (int)pending.Length;
                Array.Copy(_buffer, consumed, _buffer, 0, _filled - consumed);
                _filled -= consumed;
            }

            List<Request> taken = [.. _frames.Skip(_taken).Take(count).Select(f => f.Request)];
            _taken += count;
            return taken;
        }

        /// <summary>How many receive calls delivered <paramref name="requests"/>.</summary>
        public int ReadsFor(IReadOnlyList<Request> requests) =>
            _frames.Where(f => requests.Contains(f.Request)).Select(f => f.Read).Distinct().Count();
    }
}
