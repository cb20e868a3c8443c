using ActorLsm.Storage;

namespace ActorLsm.Shards.Background;

/// <summary>To the flusher: the store has an immutable memtable to flush.</summary>
internal sealed class RequestFlush
{
    public static readonly RequestFlush Instance = new();
}

/// <summary>To the compactor: some level may need compaction.</summary>
internal sealed class RequestCompaction
{
    public static readonly RequestCompaction Instance = new();
}

/// <summary>The flusher's periodic timer: switch the memtable if it is older than the flush interval.</summary>
internal sealed class FlushAgeTick
{
    public static readonly FlushAgeTick Instance = new();
}

/// <summary>From a child's own step task back to the child: the steps ran; <paramref name="Steps"/> did work; <paramref name="Error"/> is an unexpected failure, if any.</summary>
internal sealed record StepsDone(int Steps, Exception? Error);

/// <summary>To the shard: the store finished a flush (forwarded from <see cref="LsmStore.FlushCompleted"/>).</summary>
internal sealed record FlushCompleted(FlushCompletedInfo Info);

/// <summary>To the shard: the compactor ran <paramref name="Steps"/> compaction steps that did work.</summary>
internal sealed record CompactionFinished(int Steps);
