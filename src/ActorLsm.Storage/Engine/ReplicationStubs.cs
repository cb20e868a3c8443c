// TEMPORARY: signatures of the storage replication API (implemented on wip/storage); removed at merge.
#pragma warning disable CS1591
namespace ActorLsm.Storage;

public readonly record struct LogRecord(ulong FirstSequence, int Count, byte[] Payload);

public sealed class SequenceGapException : InvalidOperationException
{
    public SequenceGapException()
    {
    }

    public SequenceGapException(string message)
        : base(message)
    {
    }

    public SequenceGapException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ulong Expected { get; init; }

    public ulong Actual { get; init; }
}

public sealed partial class WriteBatch
{
    public byte[] ToBytes() => throw new NotImplementedException();

    public static WriteBatch FromBytes(ReadOnlySpan<byte> encoded) => throw new NotImplementedException();
}

public sealed partial class LsmStore
{
    public void WriteAt(WriteBatch batch, ulong firstSequence) => throw new NotImplementedException();

    public IReadOnlyList<LogRecord>? ReadLog(ulong fromSequence, long maxBytes) => throw new NotImplementedException();

    public ulong CreateCheckpoint(string directory) => throw new NotImplementedException();

    public static bool TruncateAfter(string directory, ulong sequence, LsmOptions? options = null) => throw new NotImplementedException();
}
