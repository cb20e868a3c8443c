using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ActorLsm.Protocol;

namespace ActorLsm.Client.Tests.Fakes;

/// <summary>A request as the fake node received it, with the connection to answer on.</summary>
internal sealed record ReceivedRequest(FakeConnection Connection, Request Request);

/// <summary>
/// A scriptable stand-in for a node: listens on 127.0.0.1 (port 0), speaks the frame protocol,
/// and either answers each request with <see cref="Handler"/> or, when the handler is null or
/// returns null, hands it to the test through <see cref="NextRequestAsync"/>.
/// </summary>
internal sealed class FakeNode : IAsyncDisposable
{
    /// <summary>Upper bound on every wait in the tests: generous for two busy cores, still finite.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<ReceivedRequest> _requests = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly Channel<FakeConnection> _accepted = Channel.CreateUnbounded<FakeConnection>();
    private readonly List<FakeConnection> _connections = [];
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private int _acceptedCount;

    public FakeNode(Func<Request, Response?>? handler = null)
    {
        Handler = handler;
        _listener.Start();
        Endpoint = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The <c>host:port</c> to give the client.</summary>
    public string Endpoint { get; }

    /// <summary>Answers a request, or returns null to pass it to the test.</summary>
    public Func<Request, Response?>? Handler { get; set; }

    /// <summary>Connections accepted so far.</summary>
    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>The next request the handler did not answer.</summary>
    public async Task<ReceivedRequest> NextRequestAsync()
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        return await _requests.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next connection accepted.</summary>
    public async Task<FakeConnection> NextConnectionAsync()
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        return await _accepted.Reader.ReadAsync(timeout.Token);
    }

    internal void Unanswered(ReceivedRequest request) => _requests.Writer.TryWrite(request);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync();
                var connection = new FakeConnection(this, socket);
                lock (_lock)
                {
                    _connections.Add(connection);
                }

                Interlocked.Increment(ref _acceptedCount);
                _accepted.Writer.TryWrite(connection);
                connection.Start();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Listener stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _acceptLoop;
        FakeConnection[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        foreach (FakeConnection connection in connections)
        {
            connection.Abort();
            await connection.Completion;
        }
    }
}
