using ActorLsm.Client;

namespace ActorLsm.Cli.Ycsb;

/// <summary>YCSB operations through <see cref="ActorLsmClient"/> against a node at an endpoint.</summary>
internal sealed class ClientYcsbStore : IYcsbStore
{
    private readonly ActorLsmClient _client;

    /// <summary>
    /// A client of the node(s) at <paramref name="endpoint"/> (<c>host:port</c>, or several comma-separated)
    /// with <paramref name="connectionsPerEndpoint"/> pipelined TCP connections to each. With
    /// <paramref name="inlineCompletions"/> the workers resume on the connections' readers
    /// (<see cref="ActorLsmClientOptions.InlineCompletions"/>): safe here, as a worker's step from one
    /// response to its next request is short and never blocks.
    /// </summary>
    public ClientYcsbStore(string endpoint, int connectionsPerEndpoint, bool inlineCompletions = true)
    {
        _client = new ActorLsmClient(new ActorLsmClientOptions
        {
            Endpoints = endpoint.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            ConnectionsPerEndpoint = connectionsPerEndpoint,
            InlineCompletions = inlineCompletions,
        });
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) => _client.GetAsync(key, cancellationToken);

    public Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) => _client.PutAsync(key, value, cancellationToken);

    public async Task<int> ScanAsync(byte[] start, int count, CancellationToken cancellationToken)
    {
        int read = 0;
        await foreach (KeyValuePair<byte[], byte[]> entry in _client.ScanAsync(start, null, count, reverse: false, cancellationToken).ConfigureAwait(false))
        {
            _ = entry;
            read++;
        }

        return read;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
