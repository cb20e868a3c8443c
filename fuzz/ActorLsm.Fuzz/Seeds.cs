using System.Buffers;
using System.Text;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Fuzz;

/// <summary>
/// Seed inputs for the targets: valid frames of every request kind and the common responses, and RESP
/// commands as clients and redis-cli send them, each with the target's control byte in front.
/// <c>dotnet ActorLsm.Fuzz.dll seeds DIR</c> writes them to DIR/frame and DIR/resp (the corpus in
/// fuzz/ActorLsm.Fuzz/corpus was made so).
/// </summary>
internal static class Seeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> Frames()
    {
        ByteString key = ByteString.CopyFromUtf8("user:1");
        ByteString value = ByteString.CopyFromUtf8("value-1");
        var session = new ClientSession { ClientId = ByteString.CopyFrom(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }), Sequence = 3, FirstUnacknowledged = 2 };
        IMessage[] messages =
        [
            new Request { RequestId = 1, Put = new PutRequest { Key = key, Value = value, LeaderEpoch = 2, ExpiresAtUnixMs = 1_800_000_000_000, Session = session } },
            new Request { RequestId = 2, Get = new GetRequest { Key = key, LeaderEpoch = 2 } },
            new Request { RequestId = 3, Delete = new DeleteRequest { Key = key, Session = session } },
            new Request { RequestId = 4, Scan = new ScanRequest { Start = key, End = ByteString.CopyFromUtf8("user:9"), Limit = 10, Reverse = true, Shards = { 0, 3 } } },
            new Request { RequestId = 5, Batch = new BatchRequest { Ops = { new BatchOp { Key = key, Value = value }, new BatchOp { Key = value, Delete = true } }, LeaderEpochs = { [1] = 4 } } },
            new Request { RequestId = 6, Status = new StatusRequest() },
            new Request { RequestId = 7, ShardMap = new ShardMapRequest() },
            new Request { RequestId = 8, ClusterStatus = new ClusterStatusRequest() },
            new Request { RequestId = 9, Auth = new AuthRequest { User = "admin", Password = "secret" } },
            new Request { RequestId = 10, Expire = new ExpireRequest { Key = key, TtlMs = 5000 } },
            new Response { RequestId = 2, Get = new GetResponse { Found = true, Value = value, ExpiresAtUnixMs = 1_800_000_000_000 } },
            new Response { RequestId = 4, Scan = new ScanResponse { Entries = { new KeyValue { Key = key, Value = value } }, Truncated = true } },
            new Response { RequestId = 6, Status = new StatusResponse { Node = "n1", Version = "1", ShardCount = 2, Shards = { new ShardStatus { Id = 1, State = "running", LevelFiles = { 1, 2 } } } } },
            new Response { RequestId = 7, ShardMap = new ShardMapResponse { ShardCount = 2, Version = 3, Shards = { new ShardLeader { Id = 0, LeaderEndpoint = "127.0.0.1:7401", LeaderEpoch = 1 } } } },
            new Response { RequestId = 1, Error = new Error { Code = ErrorCode.InvalidArgument, Message = "key too long", Shard = 1 } },
        ];
        for (int i = 0; i < messages.Length; i++)
        {
            yield return ($"frame-{i:D2}", [0, .. Frame(messages[i])]);
        }

        // Pipelined frames, read a few bytes at a time; a frame cut short; a length over the limit.
        yield return ("pipeline-3", [3, .. Frame(messages[0]), .. Frame(messages[1]), .. Frame(messages[5])]);
        yield return ("truncated", [1, .. Frame(messages[4])[..^3]]);
        yield return ("too-large", [0, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
    }

    public static IEnumerable<(string Name, byte[] Bytes)> Resp()
    {
        string[] inputs =
        [
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n",
            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$1\r\nj\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n",
            "*5\r\n$3\r\nSET\r\n$3\r\nkey\r\n$0\r\n\r\n$2\r\nEX\r\n$2\r\n10\r\n",
            "*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
            "*5\r\n$4\r\nMSET\r\n$4\r\n{a}1\r\n$1\r\nx\r\n$4\r\n{a}2\r\n$1\r\ny\r\n",
            "*1\r\n$4\r\nPING\r\n*0\r\n*-1\r\n",
            "PING\r\n",
            "SET k \"a value\" PX 100\r\nGET k\r\n\r\nECHO  hi\tthere\n",
            "*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nMATCH\r\n$3\r\nk:*\r\n",
        ];
        for (int i = 0; i < inputs.Length; i++)
        {
            byte control = (byte)((i % 2 == 0 ? 0 : 0x40) | (i % 5));
            yield return ($"resp-{i:D2}", [control, .. Encoding.UTF8.GetBytes(inputs[i])]);
        }
    }

    /// <summary>Writes the seeds to <paramref name="dir"/>/frame and <paramref name="dir"/>/resp.</summary>
    public static void Write(string dir)
    {
        foreach ((string target, IEnumerable<(string Name, byte[] Bytes)> seeds) in new[] { ("frame", Frames()), ("resp", Resp()) })
        {
            Directory.CreateDirectory(Path.Combine(dir, target));
            foreach ((string name, byte[] bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(dir, target, name), bytes);
            }
        }
    }

    private static byte[] Frame(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, message);
        return writer.WrittenSpan.ToArray();
    }
}
