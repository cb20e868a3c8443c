using System.Collections.Concurrent;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Tests.Fakes;

/// <summary>
/// An in-memory key-value map answering requests the way a node does, for <see cref="FakeNode.Handler"/>.
/// Scans return at most <see cref="MaxScanPage"/> entries (the node's maximum) and say when they are truncated.
/// </summary>
internal sealed class FakeStore
{
    private readonly SortedDictionary<byte[], byte[]> _data = new(ByteArrayComparer.Instance);
    private readonly Lock _lock = new();
    private ulong _sequence;

    /// <summary>The node's largest scan page.</summary>
    public int MaxScanPage { get; init; } = 10_000;

    /// <summary>The limit of every scan request received, in order.</summary>
    public ConcurrentQueue<uint> ScanLimits { get; } = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _data.Count;
            }
        }
    }

    public void Add(byte[] key, byte[] value)
    {
        lock (_lock)
        {
            _data[key] = value;
        }
    }

    public Response Handle(Request request)
    {
        lock (_lock)
        {
            switch (request.BodyCase)
            {
                case Request.BodyOneofCase.Put:
                    _data[request.Put.Key.ToByteArray()] = request.Put.Value.ToByteArray();
                    return new Response { Put = new PutResponse { Sequence = ++_sequence } };
                case Request.BodyOneofCase.Get:
                    return _data.TryGetValue(request.Get.Key.ToByteArray(), out byte[]? value)
                        ? new Response { Get = new GetResponse { Found = true, Value = ByteString.CopyFrom(value) } }
                        : new Response { Get = new GetResponse() };
                case Request.BodyOneofCase.Delete:
                    _data.Remove(request.Delete.Key.ToByteArray());
                    return new Response { Delete = new DeleteResponse { Sequence = ++_sequence } };
                case Request.BodyOneofCase.Batch:
                    foreach (BatchOp op in request.Batch.Ops)
                    {
                        ++_sequence;
                        if (op.Delete)
                        {
                            _data.Remove(op.Key.ToByteArray());
                        }
                        else
                        {
                            _data[op.Key.ToByteArray()] = op.Value.ToByteArray();
                        }
                    }

                    return new Response { Batch = new BatchResponse { Shards = 1 } };
                case Request.BodyOneofCase.Scan:
                    return new Response { Scan = Scan(request.Scan) };
                case Request.BodyOneofCase.Status:
                    return new Response { Status = new StatusResponse { Node = "fake", ShardCount = 1, Version = "test" } };
                default:
                    return new Response { Error = new Error { Code = ErrorCode.UnknownMessage, Message = "no body" } };
            }
        }
    }

    // REQUIRES: _lock held.
    private ScanResponse Scan(ScanRequest scan)
    {
        ScanLimits.Enqueue(scan.Limit);
        byte[]? start = scan.HasStart ? scan.Start.ToByteArray() : null;
        byte[]? end = scan.HasEnd ? scan.End.ToByteArray() : null;
        int max = scan.Limit == 0 ? MaxScanPage : (int)Math.Min(scan.Limit, (uint)MaxScanPage);
        IEnumerable<KeyValuePair<byte[], byte[]>> inRange = _data.Where(e =>
            (start is null || ByteArrayComparer.Instance.Compare(e.Key, start) >= 0)
            && (end is null || ByteArrayComparer.Instance.Compare(e.Key, end) < 0));
        if (scan.Reverse)
        {
            inRange = inRange.Reverse();
        }

        var response = new ScanResponse();
        foreach (KeyValuePair<byte[], byte[]> entry in inRange)
        {
            if (response.Entries.Count == max)
            {
                response.Truncated = true;
                break;
            }

            response.Entries.Add(new KeyValue { Key = ByteString.CopyFrom(entry.Key), Value = ByteString.CopyFrom(entry.Value) });
        }

        return response;
    }
}

/// <summary>Unsigned lexicographic byte order, the order of the store.</summary>
internal sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
