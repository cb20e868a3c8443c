using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using KeyValue = ActorLsm.Messages.KeyValue;
using ActorLsm.Shards;
using Akka.Actor;
using Akka.Event;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// The store's router on a data member (<see cref="ActorLsmRouter"/>): answers <see cref="Put"/>,
/// <see cref="Messages.Get"/>, <see cref="Delete"/>, <see cref="Expire"/>, <see cref="Scan"/> and <see cref="WriteBatch"/> with one
/// reply each (the result record or <see cref="ActorLsmError"/>).
/// </summary>
/// <remarks>
/// <para>Single node (<see cref="RouterSettings.View"/> null): every request is served by the local
/// <see cref="ShardedNode"/>; its task is piped to the sender, the router never blocks.</para>
/// <para>Cluster: a key goes to its shard's current leader in the view's shard map. Local leader: served
/// locally. Remote leader: forwarded (Tell with the original sender) to the router at the same path on
/// that member, which answers the sender directly. A request whose shard has no available leader, whose
/// leader this member's membership view has unreachable, down or removed (the version manager is moving the
/// leadership; the request would be lost), or no map yet, is retried after <see cref="RouterSettings.Backoff"/> (doubling) up to
/// <see cref="RouterSettings.Retries"/> times, then answered UNAVAILABLE. A forwarded request is never
/// sent back to the member it came from (two maps disagreeing during a leader change): it waits two
/// backoffs for a newer map here, then is answered UNAVAILABLE so that its caller routes it again.</para>
/// <para>Scan: the shards are grouped by leader; a per-request <see cref="ScatterAggregator"/> child
/// collects one <see cref="ScanResult"/> per member (<see cref="ScanShards"/> to remote routers, the local
/// part piped) and merges them. A scan that meets a leadership change (a part answers UNAVAILABLE) is
/// routed again with the same backoff, like a get. WriteBatch: split by shard and grouped by leader;
/// each member applies its part atomically per shard; the parts are not atomic together (as
/// <c>ShardedNode.BatchAsync</c>).</para>
/// <para>Errors: ArgumentException → INVALID_ARGUMENT, OverloadedException → OVERLOADED,
/// ShardUnavailableException → UNAVAILABLE, NotEnoughReplicasException → NOT_ENOUGH_REPLICAS,
/// TimeoutException → TIMEOUT, anything else → INTERNAL (logged).</para>
/// </remarks>
internal sealed class ActorLsmRouterActor : ReceiveActor, IWithTimers
{
    private readonly RouterSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _retryKeys;

    public ActorLsmRouterActor(RouterSettings settings)
    {
        _settings = settings;
        Receive<Put>(m => RouteKeyed(m, Sender, 0));
        Receive<Messages.Get>(m => RouteKeyed(m, Sender, 0));
        Receive<Delete>(m => RouteKeyed(m, Sender, 0));
        Receive<Expire>(m => RouteKeyed(m, Sender, 0));
        Receive<Scan>(m => RouteScan(m, Sender, 0));
        Receive<WriteBatch>(m => RouteBatch(m, Sender, 0));
        Receive<ScanShards>(OnScanShards);
        Receive<RetryRequest>(r => Route(r.Request, r.ReplyTo, r.Attempt));
        Receive<ReadUnavailable>(r => RetryOrUnavailable(r.Request, r.ReplyTo, r.Attempt, r.Why));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The router's Props. REQUIRES: <paramref name="settings"/>.Node is started.</summary>
    public static Props Props(RouterSettings settings) => Akka.Actor.Props.Create(() => new ActorLsmRouterActor(settings));

    /// <summary>The reply for a failed local request (see the class remarks for the mapping).</summary>
    public static ActorLsmError ToError(Exception ex, long correlationId)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg)
        {
            ex = agg.InnerExceptions[0];
        }

        ErrorCode code = ex switch
        {
            SessionExpiredException => ErrorCode.SessionExpired,
            ArgumentException => ErrorCode.InvalidArgument,
            OverloadedException => ErrorCode.Overloaded,
            ShardUnavailableException => ErrorCode.Unavailable,
            NotEnoughReplicasException => ErrorCode.NotEnoughReplicas,
            TimeoutException => ErrorCode.Timeout,
            OperationCanceledException => ErrorCode.Unavailable,
            _ => ErrorCode.Internal,
        };
        return new ActorLsmError(code, code == ErrorCode.Internal ? $"{ex.GetType().Name}: {ex.Message}" : ex.Message, correlationId);
    }

    private void Route(IActorLsmRequest request, IActorRef replyTo, int attempt)
    {
        switch (request)
        {
            case IKeyedRequest keyed:
                RouteKeyed(keyed, replyTo, attempt);
                break;
            case Scan scan:
                RouteScan(scan, replyTo, attempt);
                break;
            case WriteBatch batch:
                RouteBatch(batch, replyTo, attempt);
                break;
            default:
                replyTo.Tell(new ActorLsmError(ErrorCode.UnknownMessage, $"the router does not serve {request.GetType().Name}", request.CorrelationId));
                break;
        }
    }

    private void RouteKeyed(IKeyedRequest request, IActorRef replyTo, int attempt)
    {
        if (request.Key is null)
        {
            replyTo.Tell(new ActorLsmError(ErrorCode.InvalidArgument, "the key is null", request.CorrelationId));
            return;
        }

        if (_settings.View is not { } view)
        {
            ServeKeyed(request, replyTo, attempt);
            return;
        }

        if (view.ShardMap is not { } map)
        {
            RetryOrUnavailable(request, replyTo, attempt, "this member has no shard map yet");
            return;
        }

        int shard = _settings.Node.ShardOf(request.Key);
        ShardAssignment a = map[shard];
        if (!a.Available || a.Leader is null)
        {
            RetryOrUnavailable(request, replyTo, attempt, $"shard {shard} has no available leader");
            return;
        }

        if (a.Leader == view.SelfAddress.Address)
        {
            ServeKeyed(request, replyTo, attempt);
        }
        else if (a.Leader == NodeOf(replyTo))
        {
            // The member that forwarded this request thinks this member leads the shard: either map may be the
            // stale one. Wait briefly for a newer map here, then hand the request back to its caller.
            Disagree(request, replyTo, attempt, $"shard {shard}: the members' shard maps disagree on its leader");
        }
        else if (IsGone(view, a.Leader))
        {
            RetryOrUnavailable(request, replyTo, attempt, $"shard {shard}: its leader {a.Leader} in this member's map is unreachable, down or removed");
        }
        else if (RemoteRequestLimit.PayloadBytes(request) is var bytes && bytes > _settings.MaxRemoteRequestBytes)
        {
            replyTo.Tell(RemoteRequestLimit.TooLarge(bytes, _settings.MaxRemoteRequestBytes, request.CorrelationId));
        }
        else
        {
            _settings.RemoteRouter!(a.Leader).Tell(request, replyTo);
        }
    }

    /// <summary>
    /// True when this member's view has <paramref name="member"/> unreachable, down or removed. The version
    /// manager moves a shard's leadership away from an unreachable leader, so a map naming it is about to
    /// be replaced; a request sent there now would most likely be lost and wait out the caller's whole
    /// timeout, so it waits for the newer map instead (with the usual backoff). False while no membership
    /// is known yet.
    /// </summary>
    private static bool IsGone(IClusterView view, NodeAddress member)
    {
        ClusterState state = view.Membership;
        if (state.Members.Count == 0)
        {
            return false;
        }

        foreach (Member m in state.Members)
        {
            if (m.Address == member && m.Status < MemberStatus.Down && !state.Unreachable.Contains(m.UniqueAddress))
            {
                return false;
            }
        }

        return true;
    }

    private void ServeKeyed(IKeyedRequest request, IActorRef replyTo, int attempt)
    {
        ShardedNode node = _settings.Node;
        long id = request.CorrelationId;
        switch (request)
        {
            case Put p:
                Start(() => node.PutAsync(p.Key, p.Value ?? throw new ArgumentException("the value is null"), p.ExpiresAt, ToSession(p.Session)))
                    .PipeTo(replyTo, success: seq => new PutResult(seq, id), failure: ex => ToError(ex, id));
                break;
            case Messages.Get g:
                // A read that met a leadership change (the shard stepped down, or waits out the read
                // lease before leading, R10) is retried like a missing leader: reads are idempotent.
                IActorRef self = Self;
                Start(() => node.GetWithExpiryAsync(g.Key)).ContinueWith(
                    t =>
                    {
                        if (t.Exception?.GetBaseException() is ShardUnavailableException unavailable)
                        {
                            self.Tell(new ReadUnavailable(g, replyTo, attempt, unavailable.Message));
                        }
                        else
                        {
                            replyTo.Tell(t.IsCompletedSuccessfully ? new GetResult(t.Result?.Value, id, t.Result?.ExpiresAt) : ToError(t.Exception ?? (Exception)new OperationCanceledException(), id));
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                break;
            case Expire e:
                Start(() => e.TimeToLiveMilliseconds is { } ttl
                        ? node.SetTimeToLiveAsync(e.Key, TimeSpan.FromMilliseconds(ttl), ToSession(e.Session))
                        : node.SetExpiryAsync(e.Key, e.ExpiresAt, ToSession(e.Session)))
                    .PipeTo(replyTo, success: existed => new ExpireResult(existed, id), failure: ex => ToError(ex, id));
                break;
            case Delete d:
                Start(() => node.DeleteAsync(d.Key, ToSession(d.Session)))
                    .PipeTo(replyTo, success: seq => new DeleteResult(seq, id), failure: ex => ToError(ex, id));
                break;
            default:
                replyTo.Tell(new ActorLsmError(ErrorCode.UnknownMessage, $"the router does not serve {request.GetType().Name}", id));
                break;
        }
    }

    private void RouteScan(Scan scan, IActorRef replyTo, int attempt)
    {
        if (scan.Limit < 0)
        {
            replyTo.Tell(new ActorLsmError(ErrorCode.InvalidArgument, $"the scan limit {scan.Limit} is negative", scan.CorrelationId));
            return;
        }

        if (_settings.View is not { } view)
        {
            PipeScan(scan, null, replyTo, attempt);
            return;
        }

        // A range inside one hash tag (KeySlot.TryGetRangeSlot: e.g. one persistence id's events) lies on one
        // shard: only that shard's leader is asked. Any other range scatters over every shard's leader.
        IEnumerable<int> targets = scan.Start is { } first && scan.End is { } end && KeySlot.TryGetRangeSlot(first, end, out _)
            ? [_settings.Node.ShardOf(first)]
            : Enumerable.Range(0, _settings.Node.ShardCount);
        if (!TryGroupByLeader(targets, out SortedDictionary<NodeAddress, List<int>>? groups, out string? why))
        {
            RetryOrUnavailable(scan, replyTo, attempt, why!);
            return;
        }

        NodeAddress self = view.SelfAddress.Address;
        if (groups.Count == 1 && groups.ContainsKey(self))
        {
            PipeScan(scan, groups[self], replyTo, attempt);
            return;
        }

        // A part that met a leadership change (UNAVAILABLE: a shard stepped down, or the map moved on)
        // makes the whole scan go round again with backoff, as a get does: scans are idempotent.
        int limit = EffectiveLimit(scan.Limit);
        IActorRef aggregator = Context.ActorOf(ScatterAggregator.Props(
            groups.Count,
            replyTo,
            parts => ScatterAggregator.MergeScan(parts, limit, scan.Reverse, scan.CorrelationId),
            scan.CorrelationId,
            _settings.RequestTimeout,
            error => error.Code == ErrorCode.Unavailable ? new ReadUnavailable(scan, replyTo, attempt, error.Message) : null));
        foreach ((NodeAddress member, List<int> shards) in groups)
        {
            if (member == self)
            {
                PipeScan(scan, shards, aggregator, null);
            }
            else
            {
                _settings.RemoteRouter!(member).Tell(new ScanShards(scan, [.. shards]), aggregator);
            }
        }
    }

    private void OnScanShards(ScanShards request)
    {
        Scan scan = request.Scan;
        if (_settings.View is { ShardMap: { } map } view)
        {
            foreach (int shard in request.Shards)
            {
                if (shard < 0 || shard >= map.ShardCount || !map[shard].Available || map[shard].Leader != view.SelfAddress.Address)
                {
                    Sender.Tell(new ActorLsmError(ErrorCode.Unavailable, $"shard {shard} is not led by this member now; retry", scan.CorrelationId));
                    return;
                }
            }
        }

        PipeScan(scan, request.Shards, Sender, null);
    }

    /// <summary>
    /// Scans <paramref name="shards"/> of the local node and answers <paramref name="replyTo"/>. With an
    /// <paramref name="attempt"/>, a shard that is not leading (<see cref="ShardUnavailableException"/>: it
    /// stepped down, or waits out the R10 fence before leading) sends the scan round again with backoff;
    /// without one (a part of a scattered scan) the error goes to <paramref name="replyTo"/>.
    /// </summary>
    private void PipeScan(Scan scan, IReadOnlyList<int>? shards, IActorRef replyTo, int? attempt)
    {
        long id = scan.CorrelationId;
        IActorRef self = Self;
        Start(() => _settings.Node.ScanAsync(scan.Start, scan.End, scan.Limit, scan.Reverse, shards)).ContinueWith(
            t =>
            {
                if (attempt is { } a && t.Exception?.GetBaseException() is ShardUnavailableException unavailable)
                {
                    self.Tell(new ReadUnavailable(scan, replyTo, a, unavailable.Message));
                }
                else
                {
                    replyTo.Tell(t.IsCompletedSuccessfully
                        ? new ScanResult([.. t.Result.Entries.Select(static e => new KeyValue(e.Key, e.Value))], t.Result.Truncated, id)
                        : ToError(t.Exception ?? (Exception)new OperationCanceledException(), id));
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void RouteBatch(WriteBatch batch, IActorRef replyTo, int attempt)
    {
        long id = batch.CorrelationId;
        if (batch.Operations is null || batch.Operations.Any(static op => op.Key is null))
        {
            replyTo.Tell(new ActorLsmError(ErrorCode.InvalidArgument, "a batch operation has a null key", id));
            return;
        }

        if (_settings.View is not { } view)
        {
            PipeBatch(batch.Operations, id, batch.Session, replyTo);
            return;
        }

        IEnumerable<int> touched = batch.Operations.Select(op => _settings.Node.ShardOf(op.Key)).Distinct();
        if (!TryGroupByLeader(touched, out SortedDictionary<NodeAddress, List<int>>? groups, out string? why))
        {
            RetryOrUnavailable(batch, replyTo, attempt, why!);
            return;
        }

        NodeAddress self = view.SelfAddress.Address;
        if (groups.Count == 1 && groups.ContainsKey(self))
        {
            PipeBatch(batch.Operations, id, batch.Session, replyTo);
            return;
        }

        NodeAddress? from = NodeOf(replyTo);
        if (from is not null && groups.ContainsKey(from))
        {
            Disagree(batch, replyTo, attempt, "the members' shard maps disagree on a leader");
            return;
        }

        var sends = new List<(NodeAddress Member, List<WriteOp> Ops)>(groups.Count);
        foreach ((NodeAddress member, List<int> shards) in groups)
        {
            var set = new HashSet<int>(shards);
            List<WriteOp> part = [.. batch.Operations.Where(op => set.Contains(_settings.Node.ShardOf(op.Key)))];
            if (member != self && RemoteRequestLimit.PayloadBytes(part) is var bytes && bytes > _settings.MaxRemoteRequestBytes)
            {
                replyTo.Tell(RemoteRequestLimit.TooLarge(bytes, _settings.MaxRemoteRequestBytes, id)); // no part sent: nothing written
                return;
            }

            sends.Add((member, part));
        }

        IActorRef aggregator = Context.ActorOf(ScatterAggregator.Props(groups.Count, replyTo, parts => ScatterAggregator.SumBatch(parts, id), id, _settings.RequestTimeout));
        foreach ((NodeAddress member, List<WriteOp> ops) in sends)
        {
            if (member == self)
            {
                PipeBatch(ops, id, batch.Session, aggregator);
            }
            else
            {
                _settings.RemoteRouter!(member).Tell(new WriteBatch(ops, id, batch.Session), aggregator);
            }
        }
    }

    private void PipeBatch(IReadOnlyList<WriteOp> operations, long id, WriteSessionStamp? session, IActorRef replyTo)
    {
        BatchOperation[] ops = [.. operations.Select(static op => new BatchOperation(op.Key, op.Value, op.ExpiresAt))];
        Start(() => _settings.Node.BatchAsync(ops, ToSession(session)))
            .PipeTo(replyTo, success: shards => new WriteBatchResult(shards, id), failure: ex => ToError(ex, id));
    }

    /// <summary>Groups <paramref name="shards"/> by their current leader; false (with the reason) when one has none.</summary>
    private bool TryGroupByLeader(IEnumerable<int> shards, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SortedDictionary<NodeAddress, List<int>>? groups, out string? why)
    {
        groups = null;
        if (_settings.View is not { ShardMap: { } map } view)
        {
            why = "this member has no shard map yet";
            return false;
        }

        var result = new SortedDictionary<NodeAddress, List<int>>();
        foreach (int shard in shards)
        {
            ShardAssignment a = map[shard];
            if (!a.Available || a.Leader is null)
            {
                why = $"shard {shard} has no available leader";
                return false;
            }

            if (a.Leader != view.SelfAddress.Address && IsGone(view, a.Leader))
            {
                why = $"shard {shard}: its leader {a.Leader} in this member's map is unreachable, down or removed";
                return false;
            }

            if (!result.TryGetValue(a.Leader, out List<int>? list))
            {
                list = [];
                result[a.Leader] = list;
            }

            list.Add(shard);
        }

        groups = result;
        why = null;
        return true;
    }

    /// <summary>Longest delay between two attempts of one request.</summary>
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);

    private void RetryOrUnavailable(IActorLsmRequest request, IActorRef replyTo, int attempt, string why)
    {
        if (attempt >= _settings.Retries)
        {
            replyTo.Tell(new ActorLsmError(ErrorCode.Unavailable, $"{why} (after {attempt} retries); retry later", request.CorrelationId));
            return;
        }

        TimeSpan delay = TimeSpan.FromTicks(Math.Min((_settings.Backoff * Math.Pow(2, attempt)).Ticks, s_maxBackoff.Ticks));
        _log.Debug("{0}; retrying {1} in {2}", why, request.GetType().Name, delay);
        Timers.StartSingleTimer(++_retryKeys, new RetryRequest(request, replyTo, attempt + 1), delay);
    }

    /// <summary>Waits after a forwarded request met disagreeing maps (<see cref="DisagreementWaits"/>).</summary>
    private const int DisagreementWaits = 2;

    /// <summary>
    /// A forwarded request whose sender's map names this member as the leader while this member's map names
    /// the sender: retried here for <see cref="DisagreementWaits"/> backoffs (this member's map may be the
    /// stale one), then answered UNAVAILABLE at once, so that the caller (whose clients resend on
    /// UNAVAILABLE: writes with their R11 session number, reads as they are) routes it again with its own
    /// map, which may be the stale one. Waiting here for the full retries would never end while it is the
    /// sender's map that is stale.
    /// </summary>
    private void Disagree(IActorLsmRequest request, IActorRef replyTo, int attempt, string why)
    {
        if (attempt < DisagreementWaits)
        {
            RetryOrUnavailable(request, replyTo, attempt, why);
            return;
        }

        replyTo.Tell(new ActorLsmError(ErrorCode.Unavailable, $"{why}; retry", request.CorrelationId));
    }

    private int EffectiveLimit(int limit) => limit == 0 ? _settings.MaxScanLimit : Math.Min(limit, _settings.MaxScanLimit);

    /// <summary>The member <paramref name="actor"/> lives on, or null when it is local to this system.</summary>
    private static NodeAddress? NodeOf(IActorRef actor)
    {
        Address address = actor.Path.Address;
        return address.Host is null || address.Port is null ? null : new NodeAddress(address.Host, address.Port.Value);
    }

    /// <summary>The shards' session of a request's stamp (R11); null stays null.</summary>
    private static WriteSession? ToSession(WriteSessionStamp? stamp) =>
        stamp is null ? null : new WriteSession(stamp.ClientId, stamp.Sequence, stamp.FirstUnacknowledged, stamp.ResendAgeMs);

    /// <summary>Runs <paramref name="start"/>, turning an exception it throws before its task exists into a failed task.</summary>

    private static Task<T> Start<T>(Func<Task<T>> start)
    {
        try
        {
            return start();
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }
}
