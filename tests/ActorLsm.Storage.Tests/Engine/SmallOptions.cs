namespace ActorLsm.Storage.Tests.Engine;

/// <summary>Options that make a few kilobytes of data flush, compact and spread over levels.</summary>
internal static class SmallOptions
{
    public static LsmOptions Create(WalSyncMode sync = WalSyncMode.None) => new()
    {
        WalSyncMode = sync,
        MemTableSize = 16 * 1024,
        BlockSize = 512,
        BlockRestartInterval = 4,
        TargetFileSize = 8 * 1024,
        MaxBytesForLevelBase = 32 * 1024,
        LevelSizeMultiplier = 4,
        L0CompactionTrigger = 2,
        L0SlowdownWritesTrigger = 8,
        L0StopWritesTrigger = 12,
        BlockCacheSize = 256 * 1024,
        MaxOpenFiles = 64,
        FlushInterval = TimeSpan.Zero,
    };
}
