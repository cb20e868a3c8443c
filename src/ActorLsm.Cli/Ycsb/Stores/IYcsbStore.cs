namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// The key-value operations a YCSB run issues, over the network (<see cref="ClientYcsbStore"/>) or
/// in-process (<see cref="EmbeddedYcsbStore"/>). Implementations are thread-safe; failures surface
/// as exceptions, which the runner counts as <c>Return=ERROR</c>.
/// </summary>
internal interface IYcsbStore : IAsyncDisposable
{
    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>; completes once acknowledged.</summary>
    Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="count"/> entries in key order from <paramref name="start"/>; returns how many were read.</summary>
    Task<int> ScanAsync(byte[] start, int count, CancellationToken cancellationToken);
}
