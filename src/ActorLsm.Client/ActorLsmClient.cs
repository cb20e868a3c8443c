using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ActorLsm.Client.Connections;
using ActorLsm.Client.Requests;
using ActorLsm.Client.Routing;
using WriteSequencer = ActorLsm.Messages.WriteSequencer;
using WriteSessionStamp = ActorLsm.Messages.WriteSessionStamp;
using WriteTicket = ActorLsm.Messages.WriteTicket;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client;

/// <summary>
/// Client of an ActorLsm node over TCP (src/ActorLsm.Protocol/PROTOCOL.md): a pool of
/// connections, each pipelining many requests matched to responses by request id. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Connections: <see cref="ActorLsmClientOptions.ConnectionsPerEndpoint"/> TCP connections per
/// endpoint (Nagle off), opened on first use within <see cref="ActorLsmClientOptions.ConnectTimeout"/>;
/// calls are spread over all of them round-robin. On each connection many requests are in flight
/// at once and responses may arrive in any order (request-id pipelining, as in Redis pipelining or
/// HTTP/2 stream ids); frames queued by concurrent callers leave in as few socket writes as possible.
/// Each connection's reader completes every response of a read in one pass; with
/// <see cref="ActorLsmClientOptions.InlineCompletions"/> the callers' continuations run right there and
/// the requests they send then leave together in one write.
/// A broken connection is reopened by the next call after a short exponential backoff (50 ms up to 2 s).
/// </para>
/// <para>
/// Errors: <see cref="ArgumentException"/> for INVALID_ARGUMENT, <see cref="ActorLsmOverloadedException"/>
/// for OVERLOADED, <see cref="ActorLsmException"/> (with <see cref="ActorLsmException.Code"/>) for other
/// node errors, <see cref="ActorLsmConnectionException"/> when the connection fails (every request
/// pending on it fails; the outcome of a write is then unknown), <see cref="TimeoutException"/>
/// after <see cref="ActorLsmClientOptions.RequestTimeout"/> (checked every tenth of it, at least
/// every 5 ms and at most every second; a late response is ignored), <see cref="OperationCanceledException"/>
/// on cancellation (the request is abandoned, not recalled), <see cref="ObjectDisposedException"/>
/// after <see cref="DisposeAsync"/>.
/// </para>
/// <para>
/// Buffers: keys and values passed in are serialized before the returned task is created unless a
/// connection must first be opened; keep them unchanged until the task completes. Returned arrays
/// belong to the caller. Dispose the client to close its sockets and stop its timeout sweep.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var client = ActorLsmClient.Create("127.0.0.1:7400");
/// ulong sequence = await client.PutAsync("user:1"u8.ToArray(), "ada"u8.ToArray());
/// byte[]? value = await client.GetAsync("user:1"u8.ToArray());          // "ada", or null when absent
/// await foreach (var entry in client.ScanAsync(start: "user:"u8.ToArray(), end: "user;"u8.ToArray(), limit: 100))
/// {
///     Console.WriteLine($"{Encoding.UTF8.GetString(entry.Key)} = {Encoding.UTF8.GetString(entry.Value)}");
/// }
/// </code>
/// </example>
public sealed class ActorLsmClient : IActorLsm, IAsyncDisposable
{
    /// <summary>Most entries one scan request asks for; longer scans continue page by page.</summary>
    internal const int ScanPageSize = 1000;

    private readonly ConnectionSlot[] _slots;
    private readonly EndpointPool[] _seeds;
    private readonly ConcurrentDictionary<string, EndpointPool> _pools = new(StringComparer.Ordinal);
    private readonly Lock _routingLock = new();
    private readonly CancellationTokenSource _disposing = new();
    private volatile RoutingTable? _routing;
    private Task<RoutingTable>? _refreshing;
    private int _nextSeed = -1;
    private readonly Timer _sweeper;
    private int _nextSlot = -1;
    private int _disposed;
    private readonly WriteSequencer? _sequencer;

    /// <summary>A client with <paramref name="options"/> (defaults when null). Opens no connection yet.</summary>
    /// <exception cref="ArgumentException">An endpoint is not <c>host:port</c>, or a count, size or time is not positive.</exception>
    public ActorLsmClient(ActorLsmClientOptions? options = null)
    {
        options ??= new ActorLsmClientOptions();
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one endpoint is required", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConnectionsPerEndpoint, 1, nameof(options.ConnectionsPerEndpoint));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RequestTimeout, TimeSpan.Zero, nameof(options.RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options.ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFrameSize, FrameCodec.HeaderSize, nameof(options.MaxFrameSize));

        var endpoints = new NodeEndpoint[options.Endpoints.Count];
        for (int i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = NodeEndpoint.Parse(options.Endpoints[i]);
        }

        // Interleaved so consecutive calls visit different endpoints.
        _slots = new ConnectionSlot[endpoints.Length * options.ConnectionsPerEndpoint];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new ConnectionSlot(endpoints[i % endpoints.Length], options, _disposing.Token);
        }

        _seeds = new EndpointPool[endpoints.Length];
        for (int e = 0; e < endpoints.Length; e++)
        {
            var mine = new List<ConnectionSlot>();
            for (int i = e; i < _slots.Length; i += endpoints.Length)
            {
                mine.Add(_slots[i]);
            }

            _seeds[e] = _pools.GetOrAdd(endpoints[e].Text, new EndpointPool(endpoints[e], [.. mine]));
        }

        Options = options;
        _sequencer = options.ExactlyOnceWrites ? new WriteSequencer(options.ClientId ?? Guid.NewGuid()) : null;
        double tickMs = Math.Clamp(options.RequestTimeout.TotalMilliseconds / 10, 5, 1000);
        _sweeper = new Timer(static state => ((ActorLsmClient)state!).ExpireOverdue(), this, TimeSpan.FromMilliseconds(tickMs), TimeSpan.FromMilliseconds(tickMs));
    }

    /// <summary>The settings this client runs with.</summary>
    public ActorLsmClientOptions Options { get; }

    /// <summary>The id of this client's write session (R11), or null when <see cref="ActorLsmClientOptions.ExactlyOnceWrites"/> is off.</summary>
    public Guid? ClientId => _sequencer?.ClientId;

    /// <summary>A client of the single node at <paramref name="endpoint"/> (<c>host:port</c>).</summary>
    public static ActorLsmClient Create(string endpoint) => new(new ActorLsmClientOptions { Endpoints = [endpoint] });

    /// <summary>A client of the nodes at <paramref name="endpoints"/> (each <c>host:port</c>), routing by the shard map.</summary>
    public static ActorLsmClient Create(IReadOnlyList<string> endpoints) => new(new ActorLsmClientOptions { Endpoints = endpoints });

    /// <summary>Writes a value; returns its sequence number in its shard.</summary>
    /// <remarks>When the task completes the write is in the shard's WAL, durable per the node's WAL sync mode.</remarks>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        Response response = await SendKeyedAsync(Request.BodyOneofCase.Put, key, value, cancellationToken).ConfigureAwait(false);
        return response.Put.Sequence;
    }

    /// <summary>
    /// Writes a value that expires at <paramref name="expiresAt"/> (absolute, millisecond precision; null:
    /// never); returns its sequence number in its shard. See <see cref="IActorLsm.PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, DateTimeOffset?, CancellationToken)"/>.
    /// </summary>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        Response response = await SendKeyedAsync(Request.BodyOneofCase.Put, key, value, cancellationToken, expiresAt?.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        return response.Put.Sequence;
    }

    /// <summary>The value of a key, or null when absent or expired.</summary>
    public async Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        GetResponse get = (await SendKeyedAsync(Request.BodyOneofCase.Get, key, default, cancellationToken).ConfigureAwait(false)).Get;
        return get.Found ? ToOwnedArray(get.Value) : null;
    }

    /// <summary>The value of a key and its expiry (null: never), or null when absent or expired.</summary>
    public async Task<StoredValue?> GetWithExpiryAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        GetResponse get = (await SendKeyedAsync(Request.BodyOneofCase.Get, key, default, cancellationToken).ConfigureAwait(false)).Get;
        return get.Found
            ? new StoredValue(ToOwnedArray(get.Value), get.HasExpiresAtUnixMs ? DateTimeOffset.FromUnixTimeMilliseconds(get.ExpiresAtUnixMs) : null)
            : null;
    }

    /// <summary>
    /// Sets the expiry of an existing key atomically on its shard leader (null removes it, as PERSIST); true
    /// when the key existed. See <see cref="IActorLsm.ExpireAsync"/>.
    /// </summary>
    public async Task<bool> ExpireAsync(ReadOnlyMemory<byte> key, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        Response response = await SendKeyedAsync(Request.BodyOneofCase.Expire, key, default, cancellationToken, expiresAt?.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        return response.Expire.Existed;
    }

    /// <summary>
    /// Sets the expiry of an existing key to <paramref name="timeToLive"/> after the shard leader's clock
    /// (millisecond precision); true when the key existed. See <see cref="IActorLsm.ExpireAfterAsync"/>.
    /// </summary>
    public async Task<bool> ExpireAfterAsync(ReadOnlyMemory<byte> key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        Response response = await SendKeyedAsync(Request.BodyOneofCase.Expire, key, default, cancellationToken, ttlMs: (long)timeToLive.TotalMilliseconds).ConfigureAwait(false);
        return response.Expire.Existed;
    }

    /// <summary>Deletes a key; returns the tombstone's sequence number.</summary>
    public async Task<ulong> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        Response response = await SendKeyedAsync(Request.BodyOneofCase.Delete, key, default, cancellationToken).ConfigureAwait(false);
        return response.Delete.Sequence;
    }

    /// <summary>
    /// Entries with start &lt;= key &lt; end (null = unbounded) in key order (descending when
    /// <paramref name="reverse"/>), fetched page by page; <paramref name="limit"/> 0 means all.
    /// </summary>
    /// <remarks>
    /// Each page asks for at most <c>min(entries still wanted, 1000)</c>; while the node says the page
    /// was truncated, the next page resumes right after the last key (forward: start = last key
    /// followed by a 0x00 byte, its immediate successor; reverse: end = last key, exclusive), the
    /// continuation scheme of Bigtable- and HBase-style range scanners. Pages are separate requests,
    /// so a long scan is not one snapshot: writes landing between pages may or may not be seen.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public IAsyncEnumerable<KeyValuePair<byte[], byte[]>> ScanAsync(byte[]? start = null, byte[]? end = null, int limit = 0, bool reverse = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ScanPagesAsync(start, end, limit, reverse, cancellationToken);
    }

    /// <summary>Applies the operations, atomically per shard only; returns the number of shards touched.</summary>
    /// <remarks>A failure may leave the parts of some shards applied (PROTOCOL.md).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="operations"/> is null.</exception>
    /// <exception cref="ArgumentException">An operation has a null key.</exception>
    public async Task<int> BatchAsync(IReadOnlyList<WriteOp> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var batch = new BatchRequest();
        for (int i = 0; i < operations.Count; i++)
        {
            WriteOp op = operations[i];
            if (op.Key is null)
            {
                throw new ArgumentException($"operation {i} has a null key", nameof(operations));
            }

            // Wrapped, not copied: the request is serialized before any await below.
            BatchOp wire = op.Value is null
                ? new BatchOp { Key = UnsafeByteOperations.UnsafeWrap(op.Key), Delete = true }
                : new BatchOp { Key = UnsafeByteOperations.UnsafeWrap(op.Key), Value = UnsafeByteOperations.UnsafeWrap(op.Value) };
            if (op.Value is not null && op.ExpiresAt is { } expiresAt)
            {
                wire.ExpiresAtUnixMs = expiresAt.ToUnixTimeMilliseconds();
            }

            batch.Ops.Add(wire);
        }

        WriteTicket? ticket = _sequencer?.Begin();
        try
        {
            if (!Options.ShardRouting)
            {
                batch.Session = SessionOf(ticket);
                Response response = await SendAsync(new Request { Batch = batch }, Response.BodyOneofCase.Batch, cancellationToken).ConfigureAwait(false);
                return (int)response.Batch.Shards;
            }

            return await BatchRoutedAsync([.. batch.Ops], ticket, Environment.TickCount64 + (long)Options.RequestTimeout.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (ticket is { } t)
            {
                _sequencer!.End(t);
            }
        }
    }

    /// <summary>The shard map as the node at the next endpoint knows it (single nodes answer every shard led by themselves).</summary>
    public async Task<ShardMapResponse> ShardMapAsync(CancellationToken cancellationToken = default)
    {
        Response response = await SendAsync(new Request { ShardMap = new ShardMapRequest() }, Response.BodyOneofCase.ShardMap, cancellationToken).ConfigureAwait(false);
        return response.ShardMap;
    }

    /// <summary>The cluster's status as the node at the next endpoint sees it: members, singleton, versions, shards.</summary>
    public async Task<ClusterStatusResponse> ClusterStatusAsync(CancellationToken cancellationToken = default)
    {
        Response response = await SendAsync(new Request { ClusterStatus = new ClusterStatusRequest() }, Response.BodyOneofCase.ClusterStatus, cancellationToken).ConfigureAwait(false);
        return response.ClusterStatus;
    }

    /// <summary>Asks the node at the next endpoint (use one endpoint) to leave the cluster gracefully and stop.</summary>
    public async Task<LeaveResponse> LeaveAsync(CancellationToken cancellationToken = default)
    {
        Response response = await SendAsync(new Request { Leave = new LeaveRequest() }, Response.BodyOneofCase.Leave, cancellationToken).ConfigureAwait(false);
        return response.Leave;
    }

    /// <summary>The node's status.</summary>
    public async Task<StatusResponse> StatusAsync(CancellationToken cancellationToken = default)
    {
        Response response = await SendAsync(new Request { Status = new StatusRequest() }, Response.BodyOneofCase.Status, cancellationToken).ConfigureAwait(false);
        return response.Status;
    }

    /// <summary>
    /// Closes every connection, failing pending requests with <see cref="ActorLsmConnectionException"/>
    /// (the outcome of their writes is unknown), and waits for the connections' loops to end.
    /// Idempotent; later calls throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        ConnectionSlot[] all = [.. _pools.Values.SelectMany(p => p.Slots).Distinct()];
        var loops = new Task[all.Length];
        for (int i = 0; i < all.Length; i++)
        {
            loops[i] = all[i].ShutDown();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
        // _disposing stays undisposed: connect attempts still in flight may observe its token.
    }

    private async IAsyncEnumerable<KeyValuePair<byte[], byte[]>> ScanPagesAsync(
        byte[]? start, byte[]? end, int limit, bool reverse, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[]? lower = start;
        byte[]? upper = end;
        int remaining = limit;
        while (true)
        {
            int pageLimit = limit == 0 ? ScanPageSize : Math.Min(remaining, ScanPageSize);
            var scan = new ScanRequest { Limit = (uint)pageLimit, Reverse = reverse };
            if (lower is not null)
            {
                scan.Start = UnsafeByteOperations.UnsafeWrap(lower);
            }

            if (upper is not null)
            {
                scan.End = UnsafeByteOperations.UnsafeWrap(upper);
            }

            ScanResponse page = Options.ShardRouting
                ? await ScanPageRoutedAsync(scan, cancellationToken).ConfigureAwait(false)
                : (await SendAsync(new Request { Scan = scan }, Response.BodyOneofCase.Scan, cancellationToken).ConfigureAwait(false)).Scan;
            int count = Math.Min(page.Entries.Count, pageLimit);
            ByteString? lastKey = null;
            for (int i = 0; i < count; i++)
            {
                KeyValue entry = page.Entries[i];
                lastKey = entry.Key;
                yield return new KeyValuePair<byte[], byte[]>(ToOwnedArray(entry.Key), ToOwnedArray(entry.Value));
            }

            if (limit != 0)
            {
                remaining -= count;
                if (remaining == 0)
                {
                    yield break;
                }
            }

            if (!page.Truncated && page.Entries.Count <= pageLimit)
            {
                yield break;
            }

            if (lastKey is null)
            {
                throw new ActorLsmException(ErrorCode.Internal, "the node returned an empty scan page marked truncated; the scan cannot continue");
            }

            // Fresh arrays: the caller owns the arrays yielded above and may change them.
            if (reverse)
            {
                upper = lastKey.ToByteArray();
            }
            else
            {
                lower = new byte[lastKey.Length + 1];
                lastKey.Span.CopyTo(lower);
            }
        }
    }

    /// <summary>
    /// Longest pause between retries after NOT_LEADER, STALE_EPOCH or a cluster's UNAVAILABLE (10 ms doubling
    /// up to this). 250 ms: a failover ends with the new shard map's broadcast, and a longer pause is added
    /// whole to the failover a client sees; each retry costs one map fetch from a node.
    /// </summary>
    internal static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A put, get, delete or expire: to the next endpoint (no routing), or to the key's shard leader with its
    /// epoch, refreshing the map and retrying on a routing error until the request timeout.
    /// <paramref name="expiresAtUnixMs"/> (put, expire) and <paramref name="ttlMs"/> (expire) are the optional expiry fields.
    /// </summary>
    private Task<Response> SendKeyedAsync(Request.BodyOneofCase kind, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken, long? expiresAtUnixMs = null, long? ttlMs = null)
    {
        // No session: the send's own task, without an async frame around it (gets are the hot path).
        return kind == Request.BodyOneofCase.Get || _sequencer is null
            ? SendKeyedAsync(kind, key, value, null, cancellationToken, expiresAtUnixMs, ttlMs)
            : SendKeyedInSessionAsync(kind, key, value, cancellationToken, expiresAtUnixMs, ttlMs);
    }

    private async Task<Response> SendKeyedInSessionAsync(Request.BodyOneofCase kind, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken, long? expiresAtUnixMs, long? ttlMs)
    {
        // R11: one sequence number for every send of this write; the leaders apply it at most once.
        WriteTicket ticket = _sequencer!.Begin();
        try
        {
            return await SendKeyedAsync(kind, key, value, ticket, cancellationToken, expiresAtUnixMs, ttlMs).ConfigureAwait(false);
        }
        finally
        {
            _sequencer.End(ticket);
        }
    }

    private async Task<Response> SendKeyedAsync(Request.BodyOneofCase kind, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, WriteTicket? ticket, CancellationToken cancellationToken, long? expiresAtUnixMs, long? ttlMs)
    {
        if (!Options.ShardRouting)
        {
            ClientConnection direct = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await SendScratchAsync(direct, kind, key, value, 0, cancellationToken, expiresAtUnixMs, ttlMs, SessionOf(ticket)).ConfigureAwait(false);
        }

        long deadline = Environment.TickCount64 + (long)Options.RequestTimeout.TotalMilliseconds;
        bool unknownOutcome = false; // an earlier send of this write may have been applied
        for (int attempt = 0; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            RoutingTable table = _routing ?? await RefreshRoutingAsync(null, cancellationToken).ConfigureAwait(false);
            int shard = ShardHash.ShardOf(key.Span, table.ShardCount);
            try
            {
                ClientConnection connection = await table.LeaderOf(shard).NextAsync(cancellationToken).ConfigureAwait(false);
                return await SendScratchAsync(connection, kind, key, value, table.EpochOf(shard), cancellationToken, expiresAtUnixMs, ttlMs, SessionOf(ticket)).ConfigureAwait(false);
            }
            catch (ActorLsmException e) when (IsRoutingError(e, table) && (IsRefusedUnwritten(e) || MayRetry(kind)) && Environment.TickCount64 < deadline)
            {
                unknownOutcome |= !IsRefusedUnwritten(e);
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorLsmConnectionException) when (table.Clustered && MayRetry(kind) && Environment.TickCount64 < deadline)
            {
                // The leader's node is gone (crash, restart): the cluster elects another leader; a
                // resent write carries the same session sequence, so it is applied once (R11).
                unknownOutcome = true;
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorLsmOverloadedException) when (unknownOutcome && ticket is not null && Environment.TickCount64 < deadline)
            {
                // A resend refused for load says nothing of the earlier send; with the session another resend is safe.
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorLsmOverloadedException e) when (unknownOutcome)
            {
                // Not "nothing written": an earlier send's outcome is unknown.
                throw new ActorLsmException(ErrorCode.Timeout, $"the write's outcome is unknown: an earlier send got no answer, and the last resend was refused ({e.Message})");
            }
        }
    }

    /// <summary>The session fields of one send of <paramref name="ticket"/>'s write; null without a session.</summary>
    private ClientSession? SessionOf(WriteTicket? ticket)
    {
        if (ticket is not { } t)
        {
            return null;
        }

        WriteSessionStamp stamp = _sequencer!.Stamp(t);
        var id = new byte[16];
        stamp.ClientId.TryWriteBytes(id);
        return new ClientSession
        {
            ClientId = UnsafeByteOperations.UnsafeWrap(id),
            Sequence = stamp.Sequence,
            FirstUnacknowledged = stamp.FirstUnacknowledged,
            ResendAgeMs = (ulong)stamp.ResendAgeMs,
        };
    }

    private static Task<Response> SendScratchAsync(ClientConnection connection, Request.BodyOneofCase kind, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong epoch, CancellationToken cancellationToken, long? expiresAtUnixMs, long? ttlMs, ClientSession? session)
    {
        RequestScratch scratch = RequestScratch.Current;
        try
        {
            return kind switch
            {
                Request.BodyOneofCase.Put => connection.Send(scratch.ForPut(key, value, epoch, expiresAtUnixMs, session), Response.BodyOneofCase.Put, cancellationToken),
                Request.BodyOneofCase.Get => connection.Send(scratch.ForGet(key, epoch), Response.BodyOneofCase.Get, cancellationToken),
                Request.BodyOneofCase.Expire => connection.Send(scratch.ForExpire(key, epoch, expiresAtUnixMs, ttlMs, session), Response.BodyOneofCase.Expire, cancellationToken),
                _ => connection.Send(scratch.ForDelete(key, epoch, session), Response.BodyOneofCase.Delete, cancellationToken),
            };
        }
        finally
        {
            scratch.Clear();
        }
    }

    /// <summary>NOT_LEADER and STALE_EPOCH: the node refused the request before doing anything.</summary>
    private static bool IsRefusedUnwritten(ActorLsmException e) => e.Code is ErrorCode.NotLeader or ErrorCode.StaleEpoch;

    /// <summary>Reads are always retried; writes whose outcome is unknown only with <see cref="ActorLsmClientOptions.RetryIndeterminateWrites"/>.</summary>
    private bool MayRetry(Request.BodyOneofCase kind) => kind == Request.BodyOneofCase.Get || Options.RetryIndeterminateWrites;

    /// <summary>NOT_LEADER and STALE_EPOCH always; UNAVAILABLE only from a cluster (a single node's restarting shard is reported as before).</summary>
    private static bool IsRoutingError(ActorLsmException e, RoutingTable table) =>
        e.Code is ErrorCode.NotLeader or ErrorCode.StaleEpoch || (e.Code == ErrorCode.Unavailable && table.Clustered);

    /// <summary>Refreshes the map (shared with concurrent callers), then waits a short exponential backoff bounded by the deadline.</summary>
    private async Task RetryPauseAsync(RoutingTable stale, int attempt, long deadline, CancellationToken cancellationToken)
    {
        try
        {
            await RefreshRoutingAsync(stale, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ActorLsmException or ActorLsmConnectionException or TimeoutException)
        {
            // No node answered the map request now; the next attempt tries again with the old table.
        }

        long pauseMs = Math.Min((long)MaxRetryBackoff.TotalMilliseconds, 10L << Math.Min(attempt, 6));
        long left = deadline - Environment.TickCount64;
        if (left > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(pauseMs, left)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A routing table newer than <paramref name="stale"/> (null = any): the current one when it already
    /// is, else one fetched from the first endpoint that answers with a shard map (the configured
    /// endpoints from a rotating start, then known leaders). Concurrent callers share one fetch.
    /// </summary>
    private Task<RoutingTable> RefreshRoutingAsync(RoutingTable? stale, CancellationToken cancellationToken)
    {
        Task<RoutingTable> fetch;
        lock (_routingLock)
        {
            RoutingTable? current = _routing;
            if (current is not null && current != stale)
            {
                return Task.FromResult(current);
            }

            if (_refreshing is null || _refreshing.IsCompleted)
            {
                _refreshing = FetchRoutingAsync();
            }

            fetch = _refreshing;
        }

        return fetch.WaitAsync(cancellationToken);
    }

    private async Task<RoutingTable> FetchRoutingAsync()
    {
        await Task.Yield();
        int start = (int)((uint)Interlocked.Increment(ref _nextSeed) % (uint)_seeds.Length);
        var candidates = new List<EndpointPool>();
        for (int i = 0; i < _seeds.Length; i++)
        {
            candidates.Add(_seeds[(start + i) % _seeds.Length]);
        }

        candidates.AddRange(_pools.Values.Where(p => !candidates.Contains(p)));
        Exception? last = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        timeout.CancelAfter(Options.RequestTimeout);
        foreach (EndpointPool pool in candidates)
        {
            try
            {
                ClientConnection connection = await pool.NextAsync(timeout.Token).ConfigureAwait(false);
                Response response = await connection.Send(new Request { ShardMap = new ShardMapRequest() }, Response.BodyOneofCase.ShardMap, timeout.Token).ConfigureAwait(false);
                ShardMapResponse map = response.ShardMap;
                if (map.ShardCount == 0 || map.Shards.Count == 0)
                {
                    last = new ActorLsmException(ErrorCode.Unavailable, $"{pool} has no shard map yet");
                    continue;
                }

                var table = new RoutingTable(map, pool, PoolOf);
                _routing = table;
                return table;
            }
            catch (Exception e) when (e is ActorLsmException or ActorLsmConnectionException or TimeoutException or OperationCanceledException && !_disposing.IsCancellationRequested)
            {
                last = e;
            }
        }

        throw last is OperationCanceledException
            ? new TimeoutException($"no node answered a shard map request within {Options.RequestTimeout}", last)
            : last ?? new ActorLsmException(ErrorCode.Unavailable, "no endpoint to fetch the shard map from");
    }

    /// <summary>The pool of <paramref name="endpoint"/> (<c>host:port</c>), created on first use.</summary>
    private EndpointPool PoolOf(string endpoint) =>
        _pools.GetOrAdd(endpoint, text =>
        {
            NodeEndpoint parsed = NodeEndpoint.Parse(text);
            var slots = new ConnectionSlot[Options.ConnectionsPerEndpoint];
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i] = new ConnectionSlot(parsed, Options, _disposing.Token);
            }

            return new EndpointPool(parsed, slots);
        });

    /// <summary>One scan page over every shard: one request per leader with its shards, merged in key order.</summary>
    private async Task<ScanResponse> ScanPageRoutedAsync(ScanRequest scan, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (long)Options.RequestTimeout.TotalMilliseconds;
        for (int attempt = 0; ; attempt++)
        {
            RoutingTable table = _routing ?? await RefreshRoutingAsync(null, cancellationToken).ConfigureAwait(false);
            try
            {
                return await ScanPageAsync(table, scan, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorLsmException e) when (IsRoutingError(e, table) && Environment.TickCount64 < deadline)
            {
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ActorLsmConnectionException) when (table.Clustered && Environment.TickCount64 < deadline)
            {
                // A leader's node is gone: another is elected; the page is read again (reads are idempotent).
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<ScanResponse> ScanPageAsync(RoutingTable table, ScanRequest scan, CancellationToken cancellationToken)
    {
        if (table.Groups.Count == 1 && !table.Clustered)
        {
            // A single node serves every shard: one request, as without routing.
            ClientConnection only = await table.Groups[0].Pool.NextAsync(cancellationToken).ConfigureAwait(false);
            return (await only.Send(new Request { Scan = scan }, Response.BodyOneofCase.Scan, cancellationToken).ConfigureAwait(false)).Scan;
        }

        var parts = new Task<Response>[table.Groups.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            (EndpointPool pool, IReadOnlyList<uint> shards) = table.Groups[i];
            ScanRequest part = scan.Clone();
            part.Shards.AddRange(shards);
            parts[i] = SendToAsync(pool, new Request { Scan = part }, Response.BodyOneofCase.Scan, cancellationToken);
        }

        Response[] answers = await Task.WhenAll(parts).ConfigureAwait(false);
        var merged = new List<KeyValue>();
        bool truncated = false;
        foreach (Response answer in answers)
        {
            merged.AddRange(answer.Scan.Entries);
            truncated |= answer.Scan.Truncated;
        }

        Comparison<KeyValue> order = scan.Reverse
            ? static (a, b) => b.Key.Span.SequenceCompareTo(a.Key.Span)
            : static (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span);
        merged.Sort(order);
        int limit = scan.Limit == 0 ? merged.Count : (int)Math.Min(scan.Limit, (uint)merged.Count);
        var page = new ScanResponse { Truncated = truncated || merged.Count > limit };
        page.Entries.AddRange(merged.Take(limit));
        return page;
    }

    private static async Task<Response> SendToAsync(EndpointPool pool, Request request, Response.BodyOneofCase expected, CancellationToken cancellationToken)
    {
        ClientConnection connection = await pool.NextAsync(cancellationToken).ConfigureAwait(false);
        return await connection.Send(request, expected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Splits <paramref name="ops"/> by shard leader and sends each part with its shards' epochs; a part refused for routing is regrouped and resent.</summary>
    private async Task<int> BatchRoutedAsync(IReadOnlyList<BatchOp> ops, WriteTicket? ticket, long deadline, CancellationToken cancellationToken, int attempt = 0)
    {
        if (ops.Count == 0)
        {
            return 0;
        }

        {
            RoutingTable table = _routing ?? await RefreshRoutingAsync(null, cancellationToken).ConfigureAwait(false);
            var parts = new Dictionary<EndpointPool, BatchRequest>();
            var shardsTouched = new HashSet<int>();
            foreach (BatchOp op in ops)
            {
                int shard = ShardHash.ShardOf(op.Key.Span, table.ShardCount);
                shardsTouched.Add(shard);
                EndpointPool pool = table.LeaderOf(shard);
                if (!parts.TryGetValue(pool, out BatchRequest? part))
                {
                    part = new BatchRequest();
                    parts[pool] = part;
                }

                part.Ops.Add(op);
                part.LeaderEpochs[(uint)shard] = table.EpochOf(shard);
                part.Session ??= SessionOf(ticket); // every part, and every resend of one, carries the batch's one sequence (R11)
            }

            var sends = parts.Select(p => (Ops: (IReadOnlyList<BatchOp>)[.. p.Value.Ops], Task: SendToAsync(p.Key, new Request { Batch = p.Value }, Response.BodyOneofCase.Batch, cancellationToken))).ToList();
            try
            {
                await Task.WhenAll(sends.Select(s => s.Task)).ConfigureAwait(false);
                return shardsTouched.Count;
            }
            catch (Exception e) when (((e is ActorLsmException routing && IsRoutingError(routing, table) && (IsRefusedUnwritten(routing) || Options.RetryIndeterminateWrites))
                    || (e is ActorLsmConnectionException && table.Clustered && Options.RetryIndeterminateWrites))
                && Environment.TickCount64 < deadline)
            {
                // Parts that succeeded stay applied (a batch is atomic per shard only); resend the refused
                // ones and those whose leader's node went away (exactly once with the session, R11).
                await RetryPauseAsync(table, attempt, deadline, cancellationToken).ConfigureAwait(false);
                var refused = new List<BatchOp>();
                foreach ((IReadOnlyList<BatchOp> partOps, Task<Response> task) in sends)
                {
                    if (!task.IsCompletedSuccessfully)
                    {
                        if (task.Exception?.InnerException is ActorLsmException inner && !IsRoutingError(inner, table))
                        {
                            throw inner;
                        }

                        if (task.Exception?.InnerException is { } other && other is not (ActorLsmException or ActorLsmConnectionException))
                        {
                            throw other;
                        }

                        refused.AddRange(partOps);
                    }
                }

                try
                {
                    await BatchRoutedAsync(refused, ticket, deadline, cancellationToken, attempt + 1).ConfigureAwait(false);
                }
                catch (ActorLsmOverloadedException overloaded)
                {
                    // Not "nothing written": an earlier send of a resent part may have been applied.
                    throw new ActorLsmException(ErrorCode.Timeout, $"the batch's outcome is unknown: a part was resent after an unknown outcome and the resend was refused ({overloaded.Message})");
                }

                return shardsTouched.Count;
            }
        }
    }

    private async Task<Response> SendAsync(Request request, Response.BodyOneofCase expected, CancellationToken cancellationToken)
    {
        ClientConnection connection = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.Send(request, expected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The next slot's connection in round-robin order, opened if needed; on a connection's reader
    /// (<see cref="ActorLsmClientOptions.InlineCompletions"/>) that connection, as in <see cref="EndpointPool.NextAsync"/>.
    /// </summary>
    private ValueTask<ClientConnection> NextConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (ConnectionSlot.ReaderAmong(_slots) is { } reader)
        {
            return new ValueTask<ClientConnection>(reader);
        }

        uint index = (uint)Interlocked.Increment(ref _nextSlot);
        return _slots[index % (uint)_slots.Length].GetAsync(cancellationToken);
    }

    private void ExpireOverdue()
    {
        long now = Environment.TickCount64;
        foreach (EndpointPool pool in _pools.Values)
        {
            foreach (ConnectionSlot slot in pool.Slots)
            {
                slot.Current?.ExpireOverdue(now);
            }
        }
    }

    /// <summary>
    /// The bytes of <paramref name="bytes"/> as an array the caller may own. A ByteString parsed
    /// off the wire holds an array of its own exactly its length, which no one else references once
    /// the response is dropped: that array is handed out instead of a copy.
    /// </summary>
    private static byte[] ToOwnedArray(ByteString bytes)
    {
        if (MemoryMarshal.TryGetArray(bytes.Memory, out ArraySegment<byte> segment)
            && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length)
        {
            return array;
        }

        return bytes.ToByteArray();
    }
}
