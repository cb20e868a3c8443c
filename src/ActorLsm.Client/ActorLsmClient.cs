using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ActorLsm.Client.Connections;
using ActorLsm.Client.Requests;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client;

/// <summary>One operation of <see cref="ActorLsmClient.BatchAsync"/>: a put, or a delete when <paramref name="Value"/> is null.</summary>
public readonly record struct ClientBatchOp(byte[] Key, byte[]? Value);

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
public sealed class ActorLsmClient : IAsyncDisposable
{
    /// <summary>Most entries one scan request asks for; longer scans continue page by page.</summary>
    internal const int ScanPageSize = 1000;

    private readonly ConnectionSlot[] _slots;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Timer _sweeper;
    private int _nextSlot = -1;
    private int _disposed;

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

        Options = options;
        double tickMs = Math.Clamp(options.RequestTimeout.TotalMilliseconds / 10, 5, 1000);
        _sweeper = new Timer(static state => ((ActorLsmClient)state!).ExpireOverdue(), this, TimeSpan.FromMilliseconds(tickMs), TimeSpan.FromMilliseconds(tickMs));
    }

    /// <summary>The settings this client runs with.</summary>
    public ActorLsmClientOptions Options { get; }

    /// <summary>A client of the single node at <paramref name="endpoint"/> (<c>host:port</c>).</summary>
    public static ActorLsmClient Create(string endpoint) => new(new ActorLsmClientOptions { Endpoints = [endpoint] });

    /// <summary>Writes a value; returns its sequence number in its shard.</summary>
    /// <remarks>When the task completes the write is in the shard's WAL, durable per the node's WAL sync mode.</remarks>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        ClientConnection connection = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
        RequestScratch scratch = RequestScratch.Current;
        Task<Response> response;
        try
        {
            response = connection.Send(scratch.ForPut(key, value), Response.BodyOneofCase.Put, cancellationToken);
        }
        finally
        {
            scratch.Clear();
        }

        return (await response.ConfigureAwait(false)).Put.Sequence;
    }

    /// <summary>The value of a key, or null when absent.</summary>
    public async Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ClientConnection connection = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
        RequestScratch scratch = RequestScratch.Current;
        Task<Response> response;
        try
        {
            response = connection.Send(scratch.ForGet(key), Response.BodyOneofCase.Get, cancellationToken);
        }
        finally
        {
            scratch.Clear();
        }

        GetResponse get = (await response.ConfigureAwait(false)).Get;
        return get.Found ? ToOwnedArray(get.Value) : null;
    }

    /// <summary>Deletes a key; returns the tombstone's sequence number.</summary>
    public async Task<ulong> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ClientConnection connection = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
        RequestScratch scratch = RequestScratch.Current;
        Task<Response> response;
        try
        {
            response = connection.Send(scratch.ForDelete(key), Response.BodyOneofCase.Delete, cancellationToken);
        }
        finally
        {
            scratch.Clear();
        }

        return (await response.ConfigureAwait(false)).Delete.Sequence;
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
    public async Task<int> BatchAsync(IReadOnlyList<ClientBatchOp> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var batch = new BatchRequest();
        for (int i = 0; i < operations.Count; i++)
        {
            ClientBatchOp op = operations[i];
            if (op.Key is null)
            {
                throw new ArgumentException($"operation {i} has a null key", nameof(operations));
            }

            // Wrapped, not copied: the request is serialized before any await below.
            batch.Ops.Add(op.Value is null
                ? new BatchOp { Key = UnsafeByteOperations.UnsafeWrap(op.Key), Delete = true }
                : new BatchOp { Key = UnsafeByteOperations.UnsafeWrap(op.Key), Value = UnsafeByteOperations.UnsafeWrap(op.Value) });
        }

        Response response = await SendAsync(new Request { Batch = batch }, Response.BodyOneofCase.Batch, cancellationToken).ConfigureAwait(false);
        return (int)response.Batch.Shards;
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
        var loops = new Task[_slots.Length];
        for (int i = 0; i < _slots.Length; i++)
        {
            loops[i] = _slots[i].ShutDown();
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

            Response response = await SendAsync(new Request { Scan = scan }, Response.BodyOneofCase.Scan, cancellationToken).ConfigureAwait(false);
            ScanResponse page = response.Scan;
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

    private async Task<Response> SendAsync(Request request, Response.BodyOneofCase expected, CancellationToken cancellationToken)
    {
        ClientConnection connection = await NextConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.Send(request, expected, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next slot's connection in round-robin order, opened if needed.</summary>
    private ValueTask<ClientConnection> NextConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        uint index = (uint)Interlocked.Increment(ref _nextSlot);
        return _slots[index % (uint)_slots.Length].GetAsync(cancellationToken);
    }

    private void ExpireOverdue()
    {
        long now = Environment.TickCount64;
        foreach (ConnectionSlot slot in _slots)
        {
            slot.Current?.ExpireOverdue(now);
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
