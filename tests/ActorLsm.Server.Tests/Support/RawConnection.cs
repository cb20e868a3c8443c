using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Server.Tests.Support;

/// <summary>A bare TCP connection to a node for protocol tests: frames written and read by hand.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawConnection> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(s_timeout);
        return new RawConnection(tcp);
    }

    public static byte[] Frame(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Frame(byte[] body)
    {
        var frame = new byte[FrameCodec.HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, FrameCodec.HeaderSize);
        return frame;
    }

    public Task SendAsync(Request request) => SendRawAsync(Frame(request));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(s_timeout);
        await _stream.FlushAsync().WaitAsync(s_timeout);
    }

    /// <summary>The next response frame; throws when the connection closes first or nothing arrives in time.</summary>
    public async Task<Response> ReceiveAsync()
    {
        byte[] header = new byte[FrameCodec.HeaderSize];
        await ReadExactlyAsync(header);
        byte[] body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        await ReadExactlyAsync(body);
        return Response.Parser.ParseFrom(body);
    }

    /// <summary>True when the node closed the connection (end of stream or reset) within the timeout, with no further bytes.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        byte[] buffer = new byte[1];
        try
        {
            int read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(s_timeout);
            return read == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// True when the node closes the connection (end of stream or reset) within the timeout without sending a
    /// whole response frame first (a TLS listener may send an alert, which is no frame of ours).
    /// </summary>
    public async Task<bool> ReadsNoFrameBeforeCloseAsync()
    {
        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(s_timeout);
                if (read == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // reset: closed
        }

        if (received.Count < FrameCodec.HeaderSize)
        {
            return true;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(received.ToArray());
        if (received.Count < FrameCodec.HeaderSize + length)
        {
            return true;
        }

        try
        {
            Response.Parser.ParseFrom(received.ToArray(), FrameCodec.HeaderSize, (int)length);
            return false;
        }
        catch (InvalidProtocolBufferException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task ReadExactlyAsync(byte[] buffer) => await _stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(s_timeout);
}
