using System.Diagnostics;
using ActorLsm.Shards.Layout;
using ActorLsm.Shards.Replication;
using ActorLsm.Shards.Replies;
using ActorLsm.Shards.Routing;
using ActorLsm.Shards.Scan;
using ActorLsm.Shards.Shard;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Configuration;

namespace ActorLsm.Shards;

/// <summary>
/// The shards of one node behind one façade: a fixed number of <c>ShardActor</c>s (Akka.NET actors)
/// under the node router <c>/user/actorlsm-shards</c> (<see cref="ShardedNodeOptions.RouterName"/>),
/// each owning one storage engine in <c>DataDir/shard-NN</c>, with keys spread over them by a stable
/// hash. The server and the embedded YCSB runner both use it. Every method is thread-safe and answers
/// through the shard actors' messages.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> for keys or values over the storage limits (nothing
/// written); <see cref="OverloadedException"/> when a shard's write queue is full (nothing
/// written); <see cref="ShardUnavailableException"/> while a shard restarts or after stop;
/// <see cref="TimeoutException"/> after <see cref="ShardedNodeOptions.RequestTimeout"/>.
/// <para>
/// While a shard restarts (after a failure, with backoff 100 ms doubling up to 5 s, reopening its
/// store from its WAL) requests to it fail fast with <see cref="ShardUnavailableException"/>;
/// the other shards keep serving. Requests already delivered to the shard's mailbox when it
/// failed are kept and served once it has restarted. Writes queued but not yet committed when it
/// failed get <see cref="ShardUnavailableException"/>; no write is acknowledged that is not in the WAL.
/// </para>
/// <para>
/// The node talks to each shard with a Tell whose sender is a task-backed reply address (a
/// <see cref="MinimalActorRef"/>, no temporary actor and no timer per request; one sweep enforces
/// <see cref="ShardedNodeOptions.RequestTimeout"/>); the router routes the same messages by key for
/// callers that hold only the router.
/// </para>
/// <para>
/// Akka: the shard actors and their children run on the dispatcher
/// <see cref="ShardedNodeOptions.Dispatcher"/> (<c>actorlsm.io-dispatcher</c>, a dedicated thread
/// pool defined in <see cref="DefaultConfig"/>), because they block on file I/O and must not starve
/// the default dispatcher that Akka.Remote shares. Shard mailboxes are unbounded; a shard's write
/// queue refuses writes past its limits with <see cref="OverloadedException"/> instead of blocking
/// the sender. Akka's restart has no backoff, so a restarted shard waits out its own backoff with
/// its messages stashed.
/// </para>
/// </remarks>
public sealed class ShardedNode : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ShardedNodeOptions _options;
    private readonly ShardHandle[] _handles;
    private readonly NodeLifecycle _lifecycle;
    private readonly RequestGate _gate = new();
    private readonly ReplyDeadlines _deadlines;
    private readonly ReplyAddress _replyAddress;
    private IActorRef _router = null!;
    private int _disposed;

    private ShardedNode(ActorSystem system, ShardedNodeOptions options)
    {
        _system = system;
        _options = options;
        _handles = new ShardHandle[options.ShardCount];
        for (int i = 0; i < _handles.Length; i++)
        {
            _handles[i] = new ShardHandle(i);
        }

        _lifecycle = new NodeLifecycle();
        _deadlines = new ReplyDeadlines(options.RequestTimeout);
        _replyAddress = new ReplyAddress(system, options.RouterName);
    }

    /// <summary>
    /// The commented defaults of this project (reference.conf, embedded): <c>actorlsm.node.*</c> (the
    /// defaults of <see cref="ShardedNodeOptions"/>) and <c>actorlsm.io-dispatcher</c>, the dispatcher the
    /// shard actors run on. A host merges it into its actor system's config as a fallback
    /// (<c>ConfigurationFactory.ParseString(own).WithFallback(ShardedNode.DefaultConfig)</c>) so that the
    /// dispatcher exists; <see cref="StartAsync"/> refuses a system without it.
    /// </summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.ParseString(NodeReferenceConfig.Text);

    /// <summary>
    /// Raised after each flush of a shard's store (seed 000's flush callbacks) with the shard id
    /// and the flush's details, on that shard's actor thread. Handlers must be quick; an
    /// exception from a handler is logged and ignored.
    /// </summary>
    public event Action<int, FlushCompletedInfo>? FlushCompleted;

    /// <summary>Number of shards.</summary>
    public int ShardCount => _handles.Length;

    /// <summary>The node router (<c>/user/</c> plus <see cref="ShardedNodeOptions.RouterName"/>).</summary>
    internal IActorRef Router => _router;

    /// <summary>The local actor path of this node's router, <c>/user/</c> plus <see cref="ShardedNodeOptions.RouterName"/>.</summary>
    public string RouterPath => "/user/" + _options.RouterName;

    /// <summary>
    /// Starts the shard actors in <paramref name="system"/> and waits until every shard has opened its store.
    /// The data directory gets a <c>NODE</c> file recording the shard count (LAYOUT.md).
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="system"/>'s config lacks the dispatcher <see cref="ShardedNodeOptions.Dispatcher"/>
    /// (merge <see cref="DefaultConfig"/> into it).
    /// </exception>
    /// <exception cref="InvalidActorNameException">The system already has an actor named <see cref="ShardedNodeOptions.RouterName"/> under <c>/user</c>.</exception>
    /// <exception cref="ShardCountMismatchException">The data directory was written with another shard count.</exception>
    /// <exception cref="StoreLockedException">A shard's store is open elsewhere (another node on the same directory).</exception>
    /// <exception cref="TimeoutException">
    /// The shards did not all open within the larger of <see cref="ShardedNodeOptions.RequestTimeout"/>
    /// and 2 minutes (opening replays each shard's WAL, which takes longer than a request).
    /// </exception>
    public static async Task<ShardedNode> StartAsync(ActorSystem system, ShardedNodeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!system.Dispatchers.HasDispatcher(options.Dispatcher))
        {
            throw new InvalidOperationException(
                $"the actor system '{system.Name}' has no dispatcher '{options.Dispatcher}' for the shard actors (they block on file I/O and must not run on the default dispatcher); "
                + "create the system with ShardedNode.DefaultConfig as a fallback of its config, or define the dispatcher");
        }

        NodeMetadata.EnsureCompatible(Path.GetFullPath(options.DataDir), options.ShardCount);
        var node = new ShardedNode(system, options);
        var settings = new ShardSettings(options, node.RaiseFlushCompleted);
        node._router = system.ActorOf(NodeRouterActor.Props(node._handles, settings, node._lifecycle), options.RouterName);
        try
        {
            await node._lifecycle.Started.Task.WaitAsync(StartTimeout(options), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            system.Stop(node._router);
            try
            {
                await node._lifecycle.Stopped.Task.WaitAsync(StartTimeout(options), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Reported through the original failure below.
            }

            node._deadlines.Dispose();
            throw;
        }

        return node;
    }

    private static TimeSpan StartTimeout(ShardedNodeOptions options) =>
        options.RequestTimeout > TimeSpan.FromMinutes(2) ? options.RequestTimeout : TimeSpan.FromMinutes(2);

    /// <summary>The shard that owns <paramref name="key"/>: a stable 64-bit hash of the key modulo <see cref="ShardCount"/>.</summary>
    public int ShardOf(ReadOnlySpan<byte> key) => KeyHash.ShardOf(key, _handles.Length);

    /// <summary>Writes a value; returns the write's sequence number in its shard once durable per the WAL sync mode.</summary>
    public Task<ulong> PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckSizes(key, value);
        return RequestAsync<ulong>(ShardOf(key), new WriteRequest([new BatchOperation(key, value)]), cancellationToken, _options.InlineReplyContinuations);
    }

    /// <summary>
    /// Writes a value that expires at <paramref name="expiresAt"/> (absolute, millisecond precision;
    /// null: never); returns the write's sequence number once durable. The expiry travels in the WAL
    /// record, so followers store the same one; from then on reads treat the key as absent. For a
    /// relative TTL measured on the leader's clock use <see cref="UpdateAsync(byte[], Func{ExpiringValue?, DateTimeOffset, UpdateDecision}, CancellationToken)"/>
    /// or <see cref="SetTimeToLiveAsync(byte[], TimeSpan, CancellationToken)"/>.
    /// </summary>
    public Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckSizes(key, value);
        return RequestAsync<ulong>(ShardOf(key), new WriteRequest([new BatchOperation(key, value, expiresAt)]), cancellationToken);
    }

    /// <summary>
    /// As <see cref="PutAsync(byte[], byte[], DateTimeOffset?, CancellationToken)"/>, applied at most once
    /// per (<see cref="WriteSession.ClientId"/>, <see cref="WriteSession.Sequence"/>) of <paramref name="session"/>
    /// (null: no deduplication): a resend of an applied put returns the original sequence number without
    /// writing again (src/ActorLsm.Cluster/PROTOCOL.md, R11).
    /// </summary>
    /// <exception cref="SessionExpiredException">The session no longer keeps this write's outcome; nothing was written by this call.</exception>
    public Task<ulong> PutAsync(byte[] key, byte[] value, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckSizes(key, value);
        session?.Validate();
        return RequestAsync<ulong>(ShardOf(key), new WriteRequest([new BatchOperation(key, value, expiresAt)], session), cancellationToken, _options.InlineReplyContinuations);
    }

    /// <summary>Deletes a key (writes a tombstone); returns its sequence number.</summary>
    public Task<ulong> DeleteAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckSizes(key, null);
        return RequestAsync<ulong>(ShardOf(key), new WriteRequest([new BatchOperation(key, null)]), cancellationToken, _options.InlineReplyContinuations);
    }

    /// <summary>As <see cref="DeleteAsync(byte[], CancellationToken)"/>, applied at most once per write of <paramref name="session"/> (R11; null: no deduplication).</summary>
    /// <exception cref="SessionExpiredException">The session no longer keeps this write's outcome; nothing was written by this call.</exception>
    public Task<ulong> DeleteAsync(byte[] key, WriteSession? session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckSizes(key, null);
        session?.Validate();
        return RequestAsync<ulong>(ShardOf(key), new WriteRequest([new BatchOperation(key, null)], session), cancellationToken, _options.InlineReplyContinuations);
    }

    /// <summary>The value of a key, or null.</summary>
    public async Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckSizes(key, null);
        int shard = ShardOf(key);
        if (TryReadDirect(shard, key, out ExpiringValue? found))
        {
            return found?.Value;
        }

        GetReply reply = await RequestAsync<GetReply>(shard, new GetRequest(key), cancellationToken, _options.InlineReplyContinuations).ConfigureAwait(false);
        return reply.Value;
    }

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="shard"/> on the caller's thread when the shard
    /// publishes its store for that (<see cref="DirectReads"/>); false when it does not, or when the read
    /// must go to the shard actor: a replicated leader's read lease does not hold now, or the key has a
    /// write above its high watermark (R13), or the read failed other than on the key (the shard actor
    /// then serves it, and handles the failure as it does its own reads). Session records (R11) are never returned.
    /// </summary>
    internal bool TryReadDirect(int shard, byte[] key, out ExpiringValue? found)
    {
        found = null;
        if (_gate.IsClosed)
        {
            return false;
        }

        DirectReads reads = _handles[shard].Reads;
        if (reads.TryEnter(out LeaderReadBound? bound) is not { } store)
        {
            return false;
        }

        try
        {
            ulong highWatermark = bound?.HighWatermark ?? 0; // before the clock: see ReadEntered
            return ReadEntered(store, bound, highWatermark, key, out found);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            return false;
        }
        finally
        {
            reads.Exit();
        }
    }

    /// <summary>
    /// As <see cref="TryReadDirect(int, byte[], out ExpiringValue?)"/> for several keys of one shard,
    /// read under one entry, one high watermark and one lease check (one point of the shard's order);
    /// false when any key must go to the shard actor (then the whole request does).
    /// </summary>
    private bool TryReadDirect(int shard, IReadOnlyList<byte[]> keys, byte[]?[] values)
    {
        if (_gate.IsClosed)
        {
            return false;
        }

        DirectReads reads = _handles[shard].Reads;
        if (reads.TryEnter(out LeaderReadBound? bound) is not { } store)
        {
            return false;
        }

        try
        {
            ulong highWatermark = bound?.HighWatermark ?? 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (!ReadEntered(store, bound, highWatermark, keys[i], out ExpiringValue? found))
                {
                    return false;
                }

                values[i] = found?.Value;
            }

            return true;
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            return false;
        }
        finally
        {
            reads.Exit();
        }
    }

    /// <summary>
    /// One key's get on the caller's thread, inside a read entered on the shard's <see cref="DirectReads"/>
    /// (REQUIRES: entered; <paramref name="highWatermark"/> read from <paramref name="bound"/> before this
    /// call, 0 without a bound). An unreplicated shard (no bound) reads the newest value; session records
    /// (R11) read as absent. A replicated leader's read follows R13 (<c>ReadAtLeaderBound</c>).
    /// </summary>
    private static bool ReadEntered(LsmStore store, LeaderReadBound? bound, ulong highWatermark, byte[] key, out ExpiringValue? found)
    {
        if (bound is null)
        {
            found = Sessions.SessionKeys.IsReserved(key) ? null : store.GetWithExpiry(key);
            return true;
        }

        return ReadAtLeaderBound(store, highWatermark, bound, key, out found);
    }

    /// <summary>
    /// R13 (src/ActorLsm.Cluster/PROTOCOL.md): a replicated leader's get on the caller's thread. REQUIRES:
    /// a read entered on the shard's <see cref="DirectReads"/> with <paramref name="bound"/>, and
    /// <paramref name="highWatermark"/> read from it before this call. Served only while the lease holds
    /// now (checked after the high watermark was read, so the lease also held when it was read: the read
    /// is linearized there) and only when the key's newest version is at or below the high watermark
    /// (exactly the value at that sequence; a key written above it waits in the shard actor, R7).
    /// </summary>
    private static bool ReadAtLeaderBound(LsmStore store, ulong highWatermark, LeaderReadBound bound, byte[] key, out ExpiringValue? found)
    {
        found = null;
        if (Stopwatch.GetTimestamp() >= bound.LeaseExpiryTicks)
        {
            return false; // R10: no lease now; the actor waits for fresh acknowledgements
        }

        if (Sessions.SessionKeys.IsReserved(key))
        {
            return true; // a session record (R11) reads as absent, as on the actor
        }

        return store.TryGetNewestAtOrBelow(key, highWatermark, out found);
    }

    /// <summary>
    /// The values of <paramref name="keys"/>, in order (null when absent), read by their shard as one request
    /// at one point of its order: a pipeline's GETs for one shard cost one message. A key written but not yet
    /// committed is read once it is, as by <see cref="GetAsync(byte[], CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No keys, a null key, keys of different shards or a key over the limit.</exception>
    public async Task<byte[]?[]> GetManyAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("no keys", nameof(keys));
        }

        int shard = ShardOf(keys[0]);
        foreach (byte[] key in keys)
        {
            ArgumentNullException.ThrowIfNull(key);
            CheckSizes(key, null);
            if (ShardOf(key) != shard)
            {
                throw new ArgumentException("the keys belong to different shards", nameof(keys));
            }
        }

        var direct = new byte[]?[keys.Count];
        if (TryReadDirect(shard, keys, direct))
        {
            return direct;
        }

        MultiGetReply reply = await RequestAsync<MultiGetReply>(shard, new MultiGetRequest([.. keys]), cancellationToken, _options.InlineReplyContinuations).ConfigureAwait(false);
        return reply.Values;
    }

    /// <summary>
    /// The value of a key and its expiry (null when it never expires), or null when the key is
    /// absent, deleted or expired by the shard's clock.
    /// </summary>
    public async Task<ExpiringValue?> GetWithExpiryAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckSizes(key, null);
        int shard = ShardOf(key);
        if (TryReadDirect(shard, key, out ExpiringValue? found))
        {
            return found;
        }

        GetReply reply = await RequestAsync<GetReply>(shard, new GetRequest(key), cancellationToken).ConfigureAwait(false);
        return reply.Value is null ? null : new ExpiringValue(reply.Value, reply.ExpiresAt);
    }

    /// <summary>
    /// Atomic read-modify-write of keys that share a shard (Redis Cluster: one hash slot, e.g. one
    /// hash tag): the shard actor reads each key's current value and expiry, including writes
    /// queued before this request, runs <paramref name="updater"/> with them and its clock, and
    /// queues the writes it returns as one write batch, so no other write of the shard comes in
    /// between. Completes when those writes (or, with none, everything the updater read) are
    /// committed on every in-sync replica. See <see cref="KeyUpdater"/> for the rules.
    /// </summary>
    /// <exception cref="ArgumentException">No keys, a null key, keys of different shards, a key or written value over the limits, or writes to keys not in <paramref name="keys"/>; nothing written.</exception>
    /// <exception cref="OverloadedException">The shard's write queue is full; nothing written.</exception>
    /// <exception cref="ShardUnavailableException">This node does not lead the shard, or it restarts.</exception>
    /// <remarks>Any exception the updater throws fails the call as is, with nothing written.</remarks>
    public Task<UpdateOutcome> UpdateAsync(IReadOnlyList<byte[]> keys, KeyUpdater updater, CancellationToken cancellationToken = default) =>
        UpdateAsync(keys, updater, null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(IReadOnlyList{byte[]}, KeyUpdater, CancellationToken)"/>, applied at most once
    /// per write of <paramref name="session"/> (R11; null: no deduplication): a resend of an update that
    /// wrote does not run <paramref name="updater"/> again and gets the first run's outcome. The updater's
    /// result must then be null, bool, int, long, string or byte[] (the session record keeps it), else
    /// <see cref="ArgumentException"/> with nothing written.
    /// </summary>
    /// <exception cref="SessionExpiredException">The session no longer keeps this write's outcome; nothing was written by this call.</exception>
    public Task<UpdateOutcome> UpdateAsync(IReadOnlyList<byte[]> keys, KeyUpdater updater, WriteSession? session, CancellationToken cancellationToken = default)
    {
        session?.Validate();
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(updater);
        if (keys.Count == 0)
        {
            throw new ArgumentException("an update needs at least one key", nameof(keys));
        }

        int shard = -1;
        foreach (byte[] key in keys)
        {
            if (key is null)
            {
                throw new ArgumentException("an update has a null key", nameof(keys));
            }

            CheckSizes(key, null);
            int of = ShardOf(key);
            if (shard >= 0 && of != shard)
            {
                throw new ArgumentException($"the keys of an update must share a shard (hash slot); they span shards {shard} and {of}", nameof(keys));
            }

            shard = of;
        }

        return RequestAsync<UpdateOutcome>(shard, new UpdateRequest([.. keys], updater, session), cancellationToken);
    }

    /// <summary>
    /// Atomic read-modify-write of one key: <paramref name="updater"/> gets its current value and
    /// expiry (null when absent or expired) and the shard's clock. As
    /// <see cref="UpdateAsync(IReadOnlyList{byte[]}, KeyUpdater, CancellationToken)"/>.
    /// </summary>
    public Task<UpdateOutcome> UpdateAsync(byte[] key, Func<ExpiringValue?, DateTimeOffset, UpdateDecision> updater, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(updater);
        return UpdateAsync([key], (current, now) => updater(current[0], now), cancellationToken);
    }

    /// <summary>
    /// Sets the expiry of an existing key, keeping its value, atomically (Redis EXPIREAT/PEXPIREAT;
    /// PERSIST with null). An expiry at or before the shard's clock deletes the key, as in Redis.
    /// Writes nothing when the key is absent, or when the expiry is already the one asked for.
    /// </summary>
    /// <returns>True when the key existed (and now has the expiry asked for, or was deleted by a past one).</returns>
    public Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default) =>
        SetExpiryAsync(key, expiresAt, null, cancellationToken);

    /// <summary>As <see cref="SetExpiryAsync(byte[], DateTimeOffset?, CancellationToken)"/>, applied at most once per write of <paramref name="session"/> (R11; null: no deduplication).</summary>
    /// <exception cref="SessionExpiredException">The session no longer keeps this write's outcome; nothing was written by this call.</exception>
    public async Task<bool> SetExpiryAsync(byte[] key, DateTimeOffset? expiresAt, WriteSession? session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        UpdateOutcome outcome = await UpdateAsync([key], (current, now) => ExpiryDecision(key, current[0], expiresAt, now), session, cancellationToken).ConfigureAwait(false);
        return outcome.Result is true;
    }

    /// <summary>
    /// Sets the expiry of an existing key to <paramref name="ttl"/> from now by the leader's clock
    /// (Redis EXPIRE/PEXPIRE), atomically; the absolute time is decided on the shard leader and
    /// written to its WAL. A TTL of zero or less deletes the key.
    /// </summary>
    /// <returns>True when the key existed.</returns>
    public Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        SetTimeToLiveAsync(key, ttl, null, cancellationToken);

    /// <summary>As <see cref="SetTimeToLiveAsync(byte[], TimeSpan, CancellationToken)"/>, applied at most once per write of <paramref name="session"/> (R11; null: no deduplication).</summary>
    /// <exception cref="SessionExpiredException">The session no longer keeps this write's outcome; nothing was written by this call.</exception>
    public async Task<bool> SetTimeToLiveAsync(byte[] key, TimeSpan ttl, WriteSession? session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        UpdateOutcome outcome = await UpdateAsync([key], (current, now) => ExpiryDecision(key, current[0], now + ttl, now), session, cancellationToken).ConfigureAwait(false);
        return outcome.Result is true;
    }

    private static UpdateDecision ExpiryDecision(byte[] key, ExpiringValue? current, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        if (current is not { } live)
        {
            return UpdateDecision.None(false);
        }

        if (expiresAt is { } at && at.ToUnixTimeMilliseconds() <= now.ToUnixTimeMilliseconds())
        {
            return UpdateDecision.Delete(key, true);
        }

        bool unchanged = expiresAt is null
            ? live.ExpiresAt is null
            : live.ExpiresAt is { } old && old.ToUnixTimeMilliseconds() == expiresAt.Value.ToUnixTimeMilliseconds();
        return unchanged ? UpdateDecision.None(true) : UpdateDecision.Put(key, live.Value, expiresAt, true);
    }

    /// <summary>
    /// Entries with start &lt;= key &lt; end (null = unbounded), ascending or descending, at most
    /// <paramref name="limit"/> (capped by <see cref="ShardedNodeOptions.MaxScanLimit"/>), merged
    /// from every shard. <c>Truncated</c> is true when more entries remain.
    /// </summary>
    /// <remarks>
    /// <paramref name="limit"/> 0 means <see cref="ShardedNodeOptions.MaxScanLimit"/>; negative throws
    /// <see cref="ArgumentOutOfRangeException"/>. Each shard reads at most limit + 1 entries on the
    /// thread pool; the node merges them k-way by key. Not a snapshot across shards: each shard
    /// reads its own latest state.
    /// </remarks>
    public Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, byte[]? end, int limit, bool reverse, CancellationToken cancellationToken = default) =>
        ScanAsync(start, end, limit, reverse, null, cancellationToken);

    /// <summary>
    /// As the scan over every shard, but reading only <paramref name="shards"/> (null = every shard;
    /// a cluster node reads the shards it leads). Ids out of range throw <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public async Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(
        byte[]? start, byte[]? end, int limit, bool reverse, IReadOnlyList<int>? shards, CancellationToken cancellationToken = default)
    {
        if (shards is not null)
        {
            foreach (int id in shards)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(shards));
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _handles.Length, nameof(shards));
            }
        }

        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        int effective = limit == 0 ? _options.MaxScanLimit : Math.Min(limit, _options.MaxScanLimit);
        if (start is not null && end is not null && start.AsSpan().SequenceCompareTo(end) >= 0)
        {
            return ([], false);
        }

        // Each shard returns one entry past the limit, so the merge can tell whether more remain.
        var request = new ScanRequest(start, end, effective + 1, reverse);
        var parts = new Task<ScanReply>[shards?.Count ?? _handles.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = RequestAsync<ScanReply>(shards is null ? i : shards[i], request, cancellationToken);
        }

        ScanReply[] replies = await Task.WhenAll(parts).ConfigureAwait(false);
        (List<KeyValuePair<byte[], byte[]>> entries, bool truncated) = ScanMerge.Merge(
            Array.ConvertAll(replies, static r => r.Entries), effective, reverse);
        return (entries, truncated);
    }

    /// <summary>
    /// Applies the operations, atomically per shard (not across shards); returns the number of shards touched.
    /// Every key and value is checked before anything is sent: one over its limit fails the whole call
    /// with <see cref="ArgumentException"/> and nothing is written. When one shard refuses its part
    /// (<see cref="OverloadedException"/>, <see cref="ShardUnavailableException"/>) the parts of other
    /// shards may still have been applied; the first failure is thrown.
    /// </summary>
    public Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, CancellationToken cancellationToken = default) =>
        BatchAsync(operations, null, cancellationToken);

    /// <summary>
    /// As <see cref="BatchAsync(IReadOnlyList{BatchOperation}, CancellationToken)"/>, each shard's part applied
    /// at most once per write of <paramref name="session"/> (R11; null: no deduplication): every part carries
    /// the same session, and each shard deduplicates its own part, so a resend of a partly applied batch
    /// applies only the parts that were not.
    /// </summary>
    /// <exception cref="SessionExpiredException">A shard no longer keeps this write's outcome; that part was not written by this call.</exception>
    public async Task<int> BatchAsync(IReadOnlyList<BatchOperation> operations, WriteSession? session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        session?.Validate();
        foreach (BatchOperation op in operations)
        {
            if (op.Key is null)
            {
                throw new ArgumentException("a batch operation has a null key", nameof(operations));
            }

            CheckSizes(op.Key, op.Value);
        }

        var byShard = new SortedDictionary<int, List<BatchOperation>>();
        foreach (BatchOperation op in operations)
        {
            int shard = ShardOf(op.Key);
            if (!byShard.TryGetValue(shard, out List<BatchOperation>? ops))
            {
                ops = [];
                byShard[shard] = ops;
            }

            ops.Add(op);
        }

        var writes = new List<Task<ulong>>(byShard.Count);
        foreach ((int shard, List<BatchOperation> ops) in byShard)
        {
            writes.Add(RequestAsync<ulong>(shard, new WriteRequest([.. ops], session), cancellationToken));
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        return byShard.Count;
    }

    /// <summary>
    /// Gives shard <paramref name="shardId"/> its replica role from the cluster's shard map (leader,
    /// follower or offline; PROTOCOL.md). Roles of an older epoch than the shard's are ignored.
    /// REQUIRES: <see cref="ShardedNodeOptions.Replication"/> was set. Fire and forget.
    /// </summary>
    public void SetReplicaRole(int shardId, ReplicaRole role)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shardId, _handles.Length);
        ArgumentNullException.ThrowIfNull(role);
        _router.Tell(new ToShard(shardId, new SetRole(role)));
    }

    /// <summary>
    /// The actor path of shard <paramref name="shard"/> under a node router named <paramref name="routerName"/>,
    /// without address: <c>/user/actorlsm-shards/shard-07</c>. Prefix a node's address to reach a follower's
    /// shard over Akka.Remote (<c>akka.tcp://sys@host:port/user/actorlsm-shards/shard-07</c>), for example
    /// with <c>((ExtendedActorSystem)system).Provider.ResolveActorRef(address + path)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is negative.</exception>
    public static string ShardActorPath(int shard, string routerName = ShardedNodeOptions.DefaultRouterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentException.ThrowIfNullOrWhiteSpace(routerName);
        return "/user/" + routerName + "/" + NodeMetadata.ShardName(shard);
    }

    /// <summary>Shard <paramref name="shardId"/>'s actor path under the default router name (<see cref="ShardActorPath"/> with <c>actorlsm-shards</c>).</summary>
    public static string ShardPath(int shardId) => ShardActorPath(shardId);

    /// <summary>
    /// Status of every shard. A shard that cannot answer (restarting, stopped) is reported with
    /// its state, restart, flush and compaction counts, and zeros for the store's figures.
    /// </summary>
    public async Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var infos = new ShardStatusInfo[_handles.Length];
        var asks = new Task<ShardStatusInfo>[_handles.Length];
        for (int i = 0; i < asks.Length; i++)
        {
            asks[i] = RequestAsync<ShardStatusInfo>(i, StatusRequest.Instance, cancellationToken);
        }

        for (int i = 0; i < asks.Length; i++)
        {
            try
            {
                infos[i] = await asks[i].ConfigureAwait(false);
            }
            catch (Exception e) when (e is ShardUnavailableException or TimeoutException)
            {
                ShardHandle h = _handles[i];
                infos[i] = new ShardStatusInfo(h.Id, h.StateName, 0, [], [], h.Flushes, h.Compactions, 0, 0, h.Restarts);
            }
        }

        return new NodeStatus(_handles.Length, infos);
    }

    /// <summary>
    /// Stops accepting requests (new ones get <see cref="ShardUnavailableException"/>), waits until
    /// every accepted request has been answered (queued writes are committed and acknowledged),
    /// then stops the shard actors and waits until every store is closed. Idempotent.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _gate.CloseAsync().ConfigureAwait(false);
            _system.Stop(_router);
        }

        await _lifecycle.Stopped.Task.ConfigureAwait(false);
        _deadlines.Dispose();
    }

    /// <summary>
    /// Stops the shards at once, without waiting for requests in flight: writes waiting for their
    /// commit or for replicas fail as unavailable (they may or may not be applied), as if the
    /// process had died after its last WAL sync. For crash tests and a node that must stop serving now.
    /// </summary>
    public async ValueTask KillAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = _gate.CloseAsync(); // refuses new requests; the ones in flight are answered by the shards' PostStop
            _system.Stop(_router);
        }

        await _lifecycle.Stopped.Task.ConfigureAwait(false);
        _deadlines.Dispose();
    }

    /// <summary>The shared view of shard <paramref name="id"/> (state, ref, counters).</summary>
    internal ShardHandle Shard(int id) => _handles[id];

    /// <summary>Test hook: makes shard <paramref name="id"/> throw, so that it is restarted.</summary>
    internal void InjectFailure(int id) => _handles[id].Ref.Tell(Shards.Shard.InjectFailure.Instance);

    /// <summary>Test hook: the shard's next commits wait for <paramref name="gate"/>.</summary>
    internal Task HoldCommitsAsync(int id, Task gate) =>
        RequestAsync<Status.Success>(id, new HoldCommits(gate), CancellationToken.None);

    /// <summary>Test hook: the name of the dispatcher shard <paramref name="id"/> runs on and of the thread that answered.</summary>
    internal Task<DispatcherInfo> DispatcherOfAsync(int id) =>
        RequestAsync<DispatcherInfo>(id, DispatcherQuery.Instance, CancellationToken.None);

    private void RaiseFlushCompleted(int shard, FlushCompletedInfo info) => FlushCompleted?.Invoke(shard, info);

    private void CheckSizes(byte[] key, byte[]? value)
    {
        LsmOptions limits = _options.Storage;
        if (key.Length > limits.MaxKeySize)
        {
            throw new ArgumentException($"key of {key.Length} bytes exceeds the limit of {limits.MaxKeySize} bytes; nothing was written", nameof(key));
        }

        if (value is not null && value.Length > limits.MaxValueSize)
        {
            throw new ArgumentException($"value of {value.Length} bytes exceeds the limit of {limits.MaxValueSize} bytes; nothing was written", nameof(value));
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to shard <paramref name="shard"/> and awaits its one reply;
    /// with <paramref name="inline"/> the continuations run on the replying shard's thread.
    /// </summary>
    private async Task<T> RequestAsync<T>(int shard, object message, CancellationToken cancellationToken, bool inline = false)
    {
        if (!_gate.TryEnter())
        {
            throw new ShardUnavailableException("the node is stopping");
        }

        try
        {
            ShardHandle handle = _handles[shard];
            if (handle.State != ShardState.Running)
            {
                throw new ShardUnavailableException($"shard {shard} is {handle.StateName}; retry later");
            }

            var reply = new PromiseRef<T>(_replyAddress, shard, message.GetType(), inline);
            _deadlines.Track(reply);
            CancellationTokenRegistration cancel = cancellationToken.CanBeCanceled
                ? cancellationToken.Register(static (s, token) => ((PromiseRef<T>)s!).TrySetCanceled(token), reply)
                : default;
            try
            {
                handle.Ref.Tell(message, reply);
                return await reply.Task.ConfigureAwait(false);
            }
            finally
            {
                _deadlines.Forget(reply);
                cancel.Dispose();
            }
        }
        finally
        {
            _gate.Exit();
        }
    }
}
