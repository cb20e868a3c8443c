using ActorLsm.Protocol;

namespace ActorLsm.Client;

/// <summary>One operation of <see cref="ActorLsmClient.BatchAsync"/>: a put, or a delete when <paramref name="Value"/> is null.</summary>
public readonly record struct ClientBatchOp(byte[] Key, byte[]? Value);

/// <summary>
/// Client of an ActorLsm node over TCP (src/ActorLsm.Protocol/PROTOCOL.md): a pool of
/// connections, each pipelining many requests matched to responses by request id. Thread-safe.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> for INVALID_ARGUMENT, <see cref="ActorLsmOverloadedException"/>
/// for OVERLOADED, <see cref="ActorLsmException"/> (with <see cref="ActorLsmException.Code"/>) for other
/// node errors, <see cref="ActorLsmConnectionException"/> when the connection fails,
/// <see cref="TimeoutException"/> after <see cref="ActorLsmClientOptions.RequestTimeout"/>,
/// <see cref="OperationCanceledException"/> on cancellation.
/// </remarks>
public sealed class ActorLsmClient : IAsyncDisposable
{
    public ActorLsmClient(ActorLsmClientOptions? options = null) => throw new NotImplementedException();

    /// <summary>A client of the single node at <paramref name="endpoint"/> (<c>host:port</c>).</summary>
    public static ActorLsmClient Create(string endpoint) => new(new ActorLsmClientOptions { Endpoints = [endpoint] });

    /// <summary>Writes a value; returns its sequence number in its shard.</summary>
    public Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The value of a key, or null when absent.</summary>
    public Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Deletes a key; returns the tombstone's sequence number.</summary>
    public Task<ulong> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>
    /// Entries with start &lt;= key &lt; end (null = unbounded) in key order (descending when
    /// <paramref name="reverse"/>), fetched page by page; <paramref name="limit"/> 0 means all.
    /// </summary>
    public IAsyncEnumerable<KeyValuePair<byte[], byte[]>> ScanAsync(byte[]? start = null, byte[]? end = null, int limit = 0, bool reverse = false, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Applies the operations, atomically per shard only; returns the number of shards touched.</summary>
    public Task<int> BatchAsync(IReadOnlyList<ClientBatchOp> operations, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The node's status.</summary>
    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
