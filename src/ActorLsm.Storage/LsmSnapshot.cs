namespace ActorLsm.Storage;

/// <summary>
/// A pinned sequence number: reads through it see the store as it was when it was taken,
/// whatever is written, flushed or compacted later (LevelDB's Snapshot). Compaction keeps every
/// version an open snapshot can see. Dispose it when done, or old versions are kept forever.
/// </summary>
public sealed class LsmSnapshot : IDisposable
{
    private readonly Action<LsmSnapshot> _release;
    private int _released;

    internal LsmSnapshot(ulong sequence, Action<LsmSnapshot> release)
    {
        Sequence = sequence;
        _release = release;
    }

    /// <summary>The sequence number of the newest write the snapshot sees.</summary>
    public ulong Sequence { get; }

    internal bool IsReleased => Volatile.Read(ref _released) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _release(this);
        }
    }
}
