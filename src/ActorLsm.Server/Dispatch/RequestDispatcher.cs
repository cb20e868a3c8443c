using System.Diagnostics;
using System.Reflection;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Protocol;
using ActorLsm.Server.Clustering;
using ActorLsm.Server.Metrics;
using ActorLsm.Shards;
using ActorLsm.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Dispatch;

/// <summary>
/// Executes one client <see cref="Request"/> against the node's shards and builds its
/// <see cref="Response"/>; failures become <see cref="Error"/> bodies (PROTOCOL.md's table), never
/// exceptions. Thread-safe: connections call it concurrently for pipelined requests.
/// </summary>
public sealed class RequestDispatcher
{
    private static readonly string s_version =
        typeof(RequestDispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly INodeStore _store;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _nodeName;
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    private readonly TimeSpan _requestTimeout;
    private readonly ClusterRole _role;

    public RequestDispatcher(INodeStore store, ServerMetrics metrics, ILogger<RequestDispatcher> logger, string nodeName, TimeSpan requestTimeout, ClusterRole? role = null)
    {
        _store = store;
        _role = role ?? new ClusterRole(clustered: false);
        _requestTimeout = requestTimeout;
        _metrics = metrics;
        _logger = logger;
        _nodeName = nodeName;
    }

    /// <summary>
    /// The response to <paramref name="request"/>, echoing its id. REQUIRES: the body case is not None
    /// (the connection answers those with UNKNOWN_MESSAGE itself).
    /// </summary>
    public async Task<Response> HandleAsync(Request request, CancellationToken cancellationToken)
    {
        string op = OpName(request.BodyCase);
        long started = Stopwatch.GetTimestamp();
        Response response;
        try
        {
            // A store that times its requests out itself needs no timer per request here.
            Task<Response> execution = ExecuteAsync(request, cancellationToken);
            response = execution.IsCompleted || (IsSingleKey(request.BodyCase) && _store.OwnRequestTimeout <= _requestTimeout)
                ? await execution.ConfigureAwait(false)
                : await execution.WaitAsync(_requestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            response = new Response { Error = ToError(ex, op) };
        }

        response.RequestId = request.RequestId;
        _metrics.RequestCompleted(op, response.BodyCase == Response.BodyOneofCase.Error ? StatusName(response.Error.Code) : "ok", Stopwatch.GetElapsedTime(started));
        return response;
    }

    /// <summary>Put, get and delete: one shard request each, which the store times out itself.</summary>
    private static bool IsSingleKey(Request.BodyOneofCase body) =>
        body is Request.BodyOneofCase.Put or Request.BodyOneofCase.Get or Request.BodyOneofCase.Delete;

    /// <summary>The metric tag of a request kind: <c>put</c>, <c>get</c>, ...</summary>
    public static string OpName(Request.BodyOneofCase body) => body switch
    {
        Request.BodyOneofCase.Put => "put",
        Request.BodyOneofCase.Get => "get",
        Request.BodyOneofCase.Delete => "delete",
        Request.BodyOneofCase.Scan => "scan",
        Request.BodyOneofCase.Batch => "batch",
        Request.BodyOneofCase.Status => "status",
        Request.BodyOneofCase.ShardMap => "shard_map",
        Request.BodyOneofCase.ClusterStatus => "cluster_status",
        Request.BodyOneofCase.Leave => "leave",
        Request.BodyOneofCase.Expire => "expire",
        Request.BodyOneofCase.Auth => "auth",
        _ => "unknown",
    };

    /// <summary>The metric tag of an error code: <c>invalid_argument</c>, <c>overloaded</c>, ...</summary>
    public static string StatusName(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => "invalid_argument",
        ErrorCode.Overloaded => "overloaded",
        ErrorCode.Unavailable => "unavailable",
        ErrorCode.MalformedFrame => "malformed_frame",
        ErrorCode.FrameTooLarge => "frame_too_large",
        ErrorCode.UnknownMessage => "unknown_message",
        ErrorCode.Timeout => "timeout",
        ErrorCode.NotLeader => "not_leader",
        ErrorCode.StaleEpoch => "stale_epoch",
        ErrorCode.NotEnoughReplicas => "not_enough_replicas",
        ErrorCode.Noauth => "noauth",
        ErrorCode.Wrongpass => "wrongpass",
        ErrorCode.NoPermission => "no_permission",
        ErrorCode.AuthRateLimited => "auth_rate_limited",
        ErrorCode.TooManyConnections => "too_many_connections",
        ErrorCode.IdleTimeout => "idle_timeout",
        ErrorCode.PipelineTooDeep => "pipeline_too_deep",
        ErrorCode.BulkTooLong => "bulk_too_long",
        ErrorCode.SessionExpired => "session_expired",
        _ => "internal",
    };

    private async Task<Response> ExecuteAsync(Request request, CancellationToken ct)
    {
        switch (request.BodyCase)
        {
            case Request.BodyOneofCase.Put:
                if (Gate(request.Put.Key.Span, request.Put.LeaderEpoch) is { } putRefused)
                {
                    return new Response { Error = putRefused };
                }

                ulong putSeq = request.Put.Session is { } putSession
                    ? await _store.PutAsync(request.Put.Key.ToByteArray(), request.Put.Value.ToByteArray(), request.Put.HasExpiresAtUnixMs ? FromUnixMs(request.Put.ExpiresAtUnixMs) : null, ToSession(putSession), ct).ConfigureAwait(false)
                    : request.Put.HasExpiresAtUnixMs
                    ? await _store.PutAsync(request.Put.Key.ToByteArray(), request.Put.Value.ToByteArray(), FromUnixMs(request.Put.ExpiresAtUnixMs), ct).ConfigureAwait(false)
                    : await _store.PutAsync(request.Put.Key.ToByteArray(), request.Put.Value.ToByteArray(), ct).ConfigureAwait(false);
                return new Response { Put = new PutResponse { Sequence = putSeq } };

            case Request.BodyOneofCase.Get:
                if (Gate(request.Get.Key.Span, request.Get.LeaderEpoch) is { } getRefused)
                {
                    return new Response { Error = getRefused };
                }

                ExpiringValue? found = await _store.GetWithExpiryAsync(request.Get.Key.ToByteArray(), ct).ConfigureAwait(false);
                if (found is not { } live)
                {
                    return new Response { Get = new GetResponse { Found = false } };
                }

                var get = new GetResponse { Found = true, Value = UnsafeByteOperations.UnsafeWrap(live.Value) };
                if (live.ExpiresAt is { } expiresAt)
                {
                    get.ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds();
                }

                return new Response { Get = get };

            case Request.BodyOneofCase.Expire:
                if (Gate(request.Expire.Key.Span, request.Expire.LeaderEpoch) is { } expireRefused)
                {
                    return new Response { Error = expireRefused };
                }

                ExpireRequest expire = request.Expire;
                WriteSession? expireSession = expire.Session is { } es ? ToSession(es) : null;
                bool existed = expire.HasTtlMs
                    ? await _store.SetTimeToLiveAsync(expire.Key.ToByteArray(), TimeSpan.FromMilliseconds(expire.TtlMs), expireSession, ct).ConfigureAwait(false)
                    : await _store.SetExpiryAsync(expire.Key.ToByteArray(), expire.HasExpiresAtUnixMs ? FromUnixMs(expire.ExpiresAtUnixMs) : null, expireSession, ct).ConfigureAwait(false);
                return new Response { Expire = new ExpireResponse { Existed = existed } };

            case Request.BodyOneofCase.Delete:
                if (Gate(request.Delete.Key.Span, request.Delete.LeaderEpoch) is { } deleteRefused)
                {
                    return new Response { Error = deleteRefused };
                }

                ulong deleteSeq = request.Delete.Session is { } deleteSession
                    ? await _store.DeleteAsync(request.Delete.Key.ToByteArray(), ToSession(deleteSession), ct).ConfigureAwait(false)
                    : await _store.DeleteAsync(request.Delete.Key.ToByteArray(), ct).ConfigureAwait(false);
                return new Response { Delete = new DeleteResponse { Sequence = deleteSeq } };

            case Request.BodyOneofCase.Scan:
                return await ScanAsync(request.Scan, ct).ConfigureAwait(false);

            case Request.BodyOneofCase.Batch:
                if (GateBatch(request.Batch) is { } batchRefused)
                {
                    return new Response { Error = batchRefused };
                }

                var operations = new BatchOperation[request.Batch.Ops.Count];
                for (int i = 0; i < operations.Length; i++)
                {
                    BatchOp o = request.Batch.Ops[i];
                    operations[i] = new BatchOperation(o.Key.ToByteArray(), o.Delete ? null : o.Value.ToByteArray(), !o.Delete && o.HasExpiresAtUnixMs ? FromUnixMs(o.ExpiresAtUnixMs) : null);
                }

                int shards = request.Batch.Session is { } batchSession
                    ? await _store.BatchAsync(operations, ToSession(batchSession), ct).ConfigureAwait(false)
                    : await _store.BatchAsync(operations, ct).ConfigureAwait(false);
                return new Response { Batch = new BatchResponse { Shards = (uint)shards } };

            case Request.BodyOneofCase.Status:
                return new Response { Status = await StatusAsync(ct).ConfigureAwait(false) };

            case Request.BodyOneofCase.ShardMap:
                return new Response { ShardMap = ShardMap() };

            case Request.BodyOneofCase.ClusterStatus:
                return new Response { ClusterStatus = await ClusterStatusAsync(ct).ConfigureAwait(false) };

            case Request.BodyOneofCase.Leave:
                _logger.LogInformation("a client asked this node to leave");
                _role.RequestLeave();
                return new Response { Leave = new LeaveResponse { Node = _role.Ownership?.View.SelfAddress.ToString() ?? _role.Self } };

            default:
                throw new UnreachableException($"request body {request.BodyCase} reached the dispatcher");
        }
    }

    /// <summary>
    /// The time of a wire expiry (Unix ms). Out of <see cref="DateTimeOffset"/>'s range is INVALID_ARGUMENT
    /// (<see cref="ArgumentOutOfRangeException"/> is an <see cref="ArgumentException"/>).
    /// </summary>
    private static DateTimeOffset FromUnixMs(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    /// <summary>
    /// Null when this node may serve the shard of <paramref name="key"/>; else the error to answer
    /// (ShardOwnership's rules; UNAVAILABLE while a cluster member has not started its cluster side).
    /// </summary>
    private Error? Gate(ReadOnlySpan<byte> key, ulong epoch) =>
        _role.Clustered ? GateShard(ShardHash.ShardOf(key, _store.ShardCount), epoch) : null;

    private Error? GateShard(int shard, ulong epoch)
    {
        if (!_role.Clustered)
        {
            return null;
        }

        ShardOwnership? ownership = _role.Ownership;
        return ownership is null
            ? new Error { Code = ErrorCode.Unavailable, Message = "this node is joining the cluster", Shard = (uint)shard }
            : ownership.Check(shard, epoch);
    }

    private Error? GateBatch(BatchRequest batch)
    {
        if (!_role.Clustered)
        {
            return null;
        }

        var seen = new HashSet<int>();
        foreach (BatchOp op in batch.Ops)
        {
            int shard = ShardHash.ShardOf(op.Key.Span, _store.ShardCount);
            if (seen.Add(shard))
            {
                batch.LeaderEpochs.TryGetValue((uint)shard, out ulong epoch);
                if (GateShard(shard, epoch) is { } refused)
                {
                    return refused;
                }
            }
        }

        return null;
    }

    private ShardMapResponse ShardMap()
    {
        if (!_role.Clustered)
        {
            return ShardOwnership.SingleNodeShardMap(_store.ShardCount);
        }

        return _role.Ownership?.BuildShardMap(_store.ShardCount) ?? new ShardMapResponse { ShardCount = (uint)_store.ShardCount, Clustered = true };
    }

    private async Task<ClusterStatusResponse> ClusterStatusAsync(CancellationToken ct)
    {
        NodeStatus local = await _store.StatusAsync(ct).ConfigureAwait(false);
        ShardOwnership? ownership = _role.Ownership;
        if (_role.Clustered && ownership is not null)
        {
            return ClusterStatusBuilder.FromView(ownership.View, local);
        }

        ClusterStatusResponse single = ClusterStatusBuilder.SingleNode(_role.Self.Length > 0 ? _role.Self : _nodeName, local);
        if (_role.Clustered)
        {
            // Cluster side not started yet: this node is joining and serves nothing.
            single.Clustered = true;
            single.Members[0].Status = "joining";
            single.Shards.Clear();
        }

        return single;
    }

    private async Task<Response> ScanAsync(ScanRequest scan, CancellationToken ct)
    {
        IReadOnlyList<int>? shards = null;
        if (scan.Shards.Count > 0)
        {
            var listed = new List<int>(scan.Shards.Count);
            foreach (uint id in scan.Shards)
            {
                if (id >= (uint)_store.ShardCount)
                {
                    throw new ArgumentException($"scan shard {id} is out of range (the node has {_store.ShardCount} shards)", nameof(scan));
                }

                if (GateShard((int)id, 0) is { } refused)
                {
                    return new Response { Error = refused };
                }

                if (!listed.Contains((int)id))
                {
                    listed.Add((int)id);
                }
            }

            shards = listed;
        }
        else if (_role.Clustered)
        {
            ShardOwnership? ownership = _role.Ownership;
            if (ownership is null)
            {
                return new Response { Error = new Error { Code = ErrorCode.Unavailable, Message = "this node is joining the cluster" } };
            }

            shards = ownership.ServedShards();
        }

        return new Response { Scan = await ScanShardsAsync(scan, shards, ct).ConfigureAwait(false) };
    }

    private async Task<ScanResponse> ScanShardsAsync(ScanRequest scan, IReadOnlyList<int>? shards, CancellationToken ct)
    {
        byte[]? start = scan.HasStart ? scan.Start.ToByteArray() : null;
        byte[]? end = scan.HasEnd ? scan.End.ToByteArray() : null;
        if (start is not null && end is not null && start.AsSpan().SequenceCompareTo(end) > 0)
        {
            throw new ArgumentException("scan start is after scan end", nameof(scan));
        }

        int max = _store.MaxScanLimit;
        int limit = scan.Limit == 0 || scan.Limit > (uint)max ? max : (int)scan.Limit;
        if (shards is { Count: 0 })
        {
            return new ScanResponse();
        }

        (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, bool truncated) = shards is null
            ? await _store.ScanAsync(start, end, limit, scan.Reverse, ct).ConfigureAwait(false)
            : await _store.ScanShardsAsync(start, end, limit, scan.Reverse, shards, ct).ConfigureAwait(false);
        var response = new ScanResponse { Truncated = truncated };
        foreach (KeyValuePair<byte[], byte[]> entry in entries)
        {
            response.Entries.Add(new KeyValue { Key = UnsafeByteOperations.UnsafeWrap(entry.Key), Value = UnsafeByteOperations.UnsafeWrap(entry.Value) });
        }

        return response;
    }

    private async Task<StatusResponse> StatusAsync(CancellationToken ct)
    {
        NodeStatus status = await _store.StatusAsync(ct).ConfigureAwait(false);
        var response = new StatusResponse
        {
            Node = _nodeName,
            Version = s_version,
            ShardCount = (uint)status.ShardCount,
            UptimeMs = (ulong)Stopwatch.GetElapsedTime(_startedAt).TotalMilliseconds,
        };
        foreach (ShardStatusInfo s in status.Shards)
        {
            var shard = new ShardStatus
            {
                Id = (uint)s.Id,
                State = s.State,
                LastSequence = s.LastSequence,
                Flushes = (ulong)s.Flushes,
                Compactions = (ulong)s.Compactions,
                MemtableBytes = (ulong)s.MemTableBytes,
                PendingWrites = (ulong)s.PendingWrites,
                Restarts = (ulong)s.Restarts,
            };
            shard.LevelFiles.AddRange(s.LevelFiles.Select(f => (uint)f));
            shard.LevelBytes.AddRange(s.LevelBytes.Select(b => (ulong)b));
            response.Shards.Add(shard);
        }

        return response;
    }

    /// <summary>The wire session as the shards' (R11); a client id that is not 16 bytes is an <see cref="ArgumentException"/>.</summary>
    private static WriteSession ToSession(ClientSession wire)
    {
        if (wire.ClientId.Length != 16)
        {
            throw new ArgumentException($"a write session's client_id must be 16 bytes, not {wire.ClientId.Length}; nothing was written", nameof(wire));
        }

        var session = new WriteSession(new Guid(wire.ClientId.Span), wire.Sequence, wire.FirstUnacknowledged, (long)Math.Min(wire.ResendAgeMs, long.MaxValue));
        session.Validate();
        return session;
    }

    private Error ToError(Exception ex, string op)
    {
        switch (ex)
        {
            case SessionExpiredException:
                return new Error { Code = ErrorCode.SessionExpired, Message = ex.Message };
            case ArgumentException:
                return new Error { Code = ErrorCode.InvalidArgument, Message = ex.Message };
            case OverloadedException:
                return new Error { Code = ErrorCode.Overloaded, Message = ex.Message };
            case ShardUnavailableException:
                return new Error { Code = ErrorCode.Unavailable, Message = ex.Message };
            case NotEnoughReplicasException:
                return new Error { Code = ErrorCode.NotEnoughReplicas, Message = ex.Message };
            case TimeoutException:
                return new Error { Code = ErrorCode.Timeout, Message = ex.Message };
            default:
                _logger.LogError(ex, "{Op} request failed: {Message}", op, ex.Message);
                return new Error { Code = ErrorCode.Internal, Message = $"{ex.GetType().Name}: {ex.Message}" };
        }
    }
}
