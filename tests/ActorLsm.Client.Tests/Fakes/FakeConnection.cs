using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Tests.Fakes;

/// <summary>One accepted connection of a <see cref="FakeNode"/>: reads request frames, writes responses or raw bytes.</summary>
internal sealed class FakeConnection
{
    private readonly FakeNode _node;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Task _readLoop = Task.CompletedTask;

    public FakeConnection(FakeNode node, Socket socket)
    {
        _node = node;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Completes when the read loop has ended.</summary>
    public Task Completion => _readLoop;

    public void Start() => _readLoop = Task.Run(ReadLoopAsync);

    /// <summary>Sends one response frame.</summary>
    public async Task SendAsync(Response response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(buffer, response);
        await SendRawAsync(buffer.WrittenMemory);
    }

    /// <summary>Sends bytes as they are (to forge broken frames).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends a frame header announcing <paramref name="length"/> body bytes, and no body.</summary>
    public Task SendHeaderAsync(uint length)
    {
        byte[] header = new byte[FrameCodec.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        return SendRawAsync(header);
    }

    /// <summary>Closes the connection abruptly.</summary>
    public void Abort() => _socket.Close(0);

    private async Task ReadLoopAsync()
    {
        PipeReader reader = PipeReader.Create(_stream);
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxFrameSize, out ReadOnlySequence<byte> body))
                {
                    Request request = FrameCodec.ParseRequest(body);
                    Response? response = _node.Handler?.Invoke(request);
                    if (response is null)
                    {
                        _node.Unanswered(new ReceivedRequest(this, request));
                    }
                    else
                    {
                        response.RequestId = request.RequestId;
                        await SendAsync(response);
                    }
                }

                if (result.IsCompleted)
                {
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or MalformedFrameException)
        {
            // The client or the test closed the connection.
        }
        finally
        {
            await reader.CompleteAsync();
            _socket.Dispose();
        }
    }
}
