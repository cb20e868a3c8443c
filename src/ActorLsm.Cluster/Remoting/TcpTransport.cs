using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ActorLsm.Cluster.Wire;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// The production <see cref="ITransport"/>: TCP sockets, frames of a 4-byte big-endian length and one
/// Protobuf message (byte grammar in REMOTING.md). Each connection starts with a <see cref="Handshake"/>
/// each way; the accepting side closes a connection dialled for another address. A node writes to a
/// peer only over the connection it dialled (one per peer, with a bounded queue and redial with
/// exponential backoff) and only reads from connections it accepted, as Akka's classic remoting does
/// with its outbound and inbound endpoints.
/// </summary>
public sealed class TcpTransport : ITransport
{
    private readonly RemotingSettings _settings;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<NodeAddress, Outbound> _outbound = [];
    private readonly HashSet<Socket> _inboundSockets = [];
    private readonly List<Task> _inboundTasks = [];
    private Socket? _listenSocket;
    private Task _acceptLoop = Task.CompletedTask;
    private AssociationTracker? _associations;
    private ITransportListener? _listener;
    private UniqueAddress? _self;
    private bool _disposed;

    /// <summary>A transport that will bind <see cref="RemotingSettings.Hostname"/>:<see cref="RemotingSettings.Port"/> when started.</summary>
    public TcpTransport(RemotingSettings settings, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.OutboundQueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaximumFrameSize, 64);
        _settings = settings;
        _log = log ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public NodeAddress LocalAddress => _self?.Address ?? new NodeAddress(_settings.Hostname, _settings.Port);

    /// <inheritdoc/>
    public Task StartAsync(UniqueAddress self, ITransportListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(listener);
        cancellationToken.ThrowIfCancellationRequested();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(ResolveHost(_settings.Hostname), _settings.Port));
            socket.Listen(128);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _listenSocket = socket;
        _listener = listener;
        _associations = new AssociationTracker(listener);
        _self = new UniqueAddress(new NodeAddress(_settings.Hostname, ((IPEndPoint)socket.LocalEndPoint!).Port), self.Uid);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        AssertInvariants();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public bool TrySend(NodeAddress to, RemoteEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        Outbound? peer = GetOutbound(to);
        return peer is not null && peer.Queue.Writer.TryWrite(envelope);
    }

    /// <inheritdoc/>
    public async ValueTask SendAsync(NodeAddress to, RemoteEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        Outbound? peer = GetOutbound(to);
        if (peer is null)
        {
            return;
        }

        try
        {
            await peer.Queue.Writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Disposed while waiting: dropped, as the interface allows.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Outbound[] outbound;
        Socket[] inbound;
        Task[] inboundTasks;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            outbound = [.. _outbound.Values];
            inbound = [.. _inboundSockets];
            inboundTasks = [.. _inboundTasks];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listenSocket?.Dispose();
        foreach (Outbound o in outbound)
        {
            o.Queue.Writer.TryComplete();
            o.CloseConnection();
        }

        foreach (Socket s in inbound)
        {
            s.Dispose();
        }

        await Task.WhenAll([_acceptLoop, .. inboundTasks, .. outbound.Select(o => o.Writer)]).ConfigureAwait(false);
        _stop.Dispose();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        lock (_gate)
        {
            Debug.Assert(_self is not null || _outbound.Count == 0, "no peer before start");
            Debug.Assert(!_disposed || _stop.IsCancellationRequested || _inboundSockets.Count >= 0, "disposal cancels the loops");
        }
    }

    private static IPAddress ResolveHost(string host) =>
        IPAddress.TryParse(host, out IPAddress? ip) ? ip
        : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
          ?? throw new ArgumentException($"host '{host}' has no IPv4 address", nameof(host));

    private Outbound? GetOutbound(NodeAddress to)
    {
        lock (_gate)
        {
            if (_disposed || _self is null)
            {
                return null;
            }

            if (!_outbound.TryGetValue(to, out Outbound? peer))
            {
                peer = new Outbound(this, to);
                _outbound[to] = peer;
                peer.Start();
            }

            return peer;
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_gate)
            {
                if (_disposed)
                {
                    socket.Dispose();
                    return;
                }

                _inboundSockets.Add(socket);
                _inboundTasks.RemoveAll(t => t.IsCompleted);
                _inboundTasks.Add(Task.Run(() => RunInboundAsync(socket)));
            }
        }
    }

    // One accepted connection: handshake, then read envelopes until it closes.
    private async Task RunInboundAsync(Socket socket)
    {
        CancellationToken ct = _stop.Token;
        UniqueAddress? peer = null;
        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            Handshake hello;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_settings.HandshakeTimeout);
                byte[]? first = await ReadFrameAsync(stream, _settings.MaximumFrameSize, timeout.Token).ConfigureAwait(false);
                if (first is null)
                {
                    return;
                }

                hello = Handshake.Parser.ParseFrom(first);
            }

            if (hello.From is null || hello.ToHost != _self!.Address.Host || hello.ToPort != (uint)_self.Address.Port)
            {
                _log.LogWarning("Closing a connection from {Remote}: handshake for {Host}:{Port}, this is {Self}", socket.RemoteEndPoint, hello.ToHost, hello.ToPort, _self);
                return;
            }

            peer = RemoteSystem.FromWire(hello.From);
            var answer = new Handshake { From = RemoteSystem.ToWire(_self), ToHost = peer.Address.Host, ToPort = (uint)peer.Address.Port };
            await WriteFramesAsync(stream, [answer.ToByteArray()], ct).ConfigureAwait(false);
            _associations!.LinkUp(peer);
            while (true)
            {
                byte[]? frame = await ReadFrameAsync(stream, _settings.MaximumFrameSize, ct).ConfigureAwait(false);
                if (frame is null)
                {
                    return;
                }

                _listener!.OnEnvelope(peer, RemoteEnvelope.Parser.ParseFrom(frame));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidProtocolBufferException or InvalidDataException)
        {
            if (!ct.IsCancellationRequested)
            {
                _log.LogDebug(ex, "Inbound connection from {Peer} closed", (object?)peer ?? socket.RemoteEndPoint);
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _inboundSockets.Remove(socket);
            }

            if (peer is not null)
            {
                _associations!.LinkDown(peer);
            }
        }
    }

    // Reads one frame; null at a clean end of stream before a frame starts. Throws InvalidDataException for an oversized frame.
    private static async Task<byte[]?> ReadFrameAsync(Stream stream, int maximumFrameSize, CancellationToken ct)
    {
        byte[] header = new byte[4];
        int n = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (n == 0)
        {
            return null;
        }

        if (n < 4)
        {
            throw new EndOfStreamException("connection closed inside a frame header");
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 0 || length > maximumFrameSize)
        {
            throw new InvalidDataException($"frame of {length} bytes exceeds the maximum of {maximumFrameSize}");
        }

        byte[] body = new byte[length];
        await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
        return body;
    }

    // Writes the frames as one buffer (length prefix + bytes each).
    private static async Task WriteFramesAsync(Stream stream, IReadOnlyList<byte[]> frames, CancellationToken ct)
    {
        int total = frames.Sum(f => 4 + f.Length);
        byte[] buffer = new byte[total];
        int at = 0;
        foreach (byte[] f in frames)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), f.Length);
            f.CopyTo(buffer, at + 4);
            at += 4 + f.Length;
        }

        await stream.WriteAsync(buffer, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The dialled connection to one peer: its bounded queue and the writer that (re)connects and drains it.</summary>
    private sealed class Outbound(TcpTransport owner, NodeAddress address)
    {
        private const int MaxBatchBytes = 256 * 1024;
        private readonly Lock _gate = new();
        private Socket? _socket;

        public Channel<RemoteEnvelope> Queue { get; } = Channel.CreateBounded<RemoteEnvelope>(new BoundedChannelOptions(owner._settings.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public Task Writer { get; private set; } = Task.CompletedTask;

        // REQUIRES: called once, under the owner's gate.
        public void Start() => Writer = Task.Run(RunAsync);

        // REQUIRES: any thread; closes the current connection (if any) so blocked I/O ends.
        public void CloseConnection()
        {
            lock (_gate)
            {
                _socket?.Dispose();
            }
        }

        private async Task RunAsync()
        {
            CancellationToken ct = owner._stop.Token;
            TimeSpan backoff = owner._settings.ReconnectMinBackoff;
            try
            {
                while (await Queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    bool handshaken = await RunConnectionAsync(ct).ConfigureAwait(false);
                    backoff = handshaken ? owner._settings.ReconnectMinBackoff : backoff;
                    if (ct.IsCancellationRequested)
                    {
                        return;
                    }

                    await Task.Delay(backoff, ct).ConfigureAwait(false); // redial backoff, not synchronization
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, owner._settings.ReconnectMaxBackoff.Ticks));
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
            catch (ChannelClosedException)
            {
                // Disposed.
            }
        }

        // One connection's life: dial, handshake, write until it fails. True when the handshake completed.
        private async Task<bool> RunConnectionAsync(CancellationToken ct)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            lock (_gate)
            {
                _socket = socket;
            }

            UniqueAddress? peer = null;
            NetworkStream? stream = null;
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task watcher = Task.CompletedTask;
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    timeout.CancelAfter(owner._settings.HandshakeTimeout);
                    await socket.ConnectAsync(new IPEndPoint(ResolveHost(address.Host), address.Port), timeout.Token).ConfigureAwait(false);
                    stream = new NetworkStream(socket, ownsSocket: true);
                    var hello = new Handshake { From = RemoteSystem.ToWire(owner._self!), ToHost = address.Host, ToPort = (uint)address.Port };
                    await WriteFramesAsync(stream, [hello.ToByteArray()], timeout.Token).ConfigureAwait(false);
                    byte[]? answer = await ReadFrameAsync(stream, owner._settings.MaximumFrameSize, timeout.Token).ConfigureAwait(false);
                    if (answer is null || Handshake.Parser.ParseFrom(answer).From is not { } from)
                    {
                        return false;
                    }

                    peer = RemoteSystem.FromWire(from);
                }

                owner._associations!.LinkUp(peer);

                // The peer never writes after its handshake: a read that ends means the connection closed.
                watcher = Task.Run(
                    async () =>
                    {
                        try
                        {
                            _ = await ReadFrameAsync(stream, owner._settings.MaximumFrameSize, connection.Token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
                        {
                            // Closed either way.
                        }

                        await connection.CancelAsync().ConfigureAwait(false);
                    },
                    CancellationToken.None);

                var batch = new List<byte[]>();
                while (await Queue.Reader.WaitToReadAsync(connection.Token).ConfigureAwait(false))
                {
                    batch.Clear();
                    int bytes = 0;
                    while (bytes < MaxBatchBytes && Queue.Reader.TryRead(out RemoteEnvelope? envelope))
                    {
                        byte[] frame = envelope.ToByteArray();
                        if (frame.Length > owner._settings.MaximumFrameSize)
                        {
                            owner._log.LogWarning("Dropped a {Size}-byte {Type} to {Peer}: larger than maximum-frame-size", frame.Length, envelope.Type, address);
                            continue;
                        }

                        batch.Add(frame);
                        bytes += frame.Length + 4;
                    }

                    AssertInvariants();
                    if (batch.Count > 0)
                    {
                        await WriteFramesAsync(stream, batch, connection.Token).ConfigureAwait(false);
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidProtocolBufferException or InvalidDataException)
            {
                if (!ct.IsCancellationRequested)
                {
                    owner._log.LogDebug(ex, "Connection to {Peer} failed or closed", address);
                }

                return peer is not null;
            }
            finally
            {
                await connection.CancelAsync().ConfigureAwait(false);
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                socket.Dispose();
                await watcher.ConfigureAwait(false);
                lock (_gate)
                {
                    _socket = null;
                }

                if (peer is not null)
                {
                    owner._associations!.LinkDown(peer);
                }
            }
        }

        [Conditional("DEBUG")]
        private void AssertInvariants() => Debug.Assert(Queue.Reader.Count <= owner._settings.OutboundQueueCapacity, "the queue is bounded");
    }
}
