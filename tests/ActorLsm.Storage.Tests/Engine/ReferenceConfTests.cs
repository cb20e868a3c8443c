using Akka.Configuration;

namespace ActorLsm.Storage.Tests.Engine;

/// <summary>reference.conf documents the defaults of LsmOptions: the two must agree.</summary>
public sealed class ReferenceConfTests
{
    [Fact]
    public void ReferenceConf_EveryDefault_MatchesLsmOptions()
    {
        // Parsed with Akka's HOCON parser, the one the server uses (the engine itself knows nothing of Akka).
        Config conf = ConfigurationFactory.ParseString(LsmReferenceConfig.Text).GetConfig("actorlsm.storage");
        var d = new LsmOptions();
        Assert.Equal(d.MaxKeySize, conf.GetByteSize("max-key-size"));
        Assert.Equal(d.MaxValueSize, conf.GetByteSize("max-value-size"));
        Assert.Equal(d.MemTableSize, conf.GetByteSize("memtable-size"));
        Assert.Equal(d.MaxImmutableMemTables, conf.GetInt("max-immutable-memtables"));
        Assert.Equal(d.WalSyncMode.ToString(), conf.GetString("wal-sync-mode"), ignoreCase: true);
        Assert.Equal(d.WalSyncInterval, conf.GetTimeSpan("wal-sync-interval"));
        Assert.Equal(d.FlushInterval, conf.GetTimeSpan("flush-interval"));
        Assert.Equal(d.BlockSize, conf.GetByteSize("block-size"));
        Assert.Equal(d.BlockRestartInterval, conf.GetInt("block-restart-interval"));
        Assert.Equal(d.BloomBitsPerKey, conf.GetInt("bloom-bits-per-key"));
        Assert.Equal(d.Compression.ToString(), conf.GetString("compression"), ignoreCase: true);
        Assert.Equal(d.BlockCacheSize, conf.GetByteSize("block-cache-size"));
        Assert.Equal(d.MaxOpenFiles, conf.GetInt("max-open-files"));
        Assert.Equal(d.VerifyChecksums, conf.GetBoolean("verify-checksums"));
        Assert.Equal(d.NumLevels, conf.GetInt("num-levels"));
        Assert.Equal(d.L0CompactionTrigger, conf.GetInt("level0-file-num-compaction-trigger"));
        Assert.Equal(d.L0SlowdownWritesTrigger, conf.GetInt("level0-slowdown-writes-trigger"));
        Assert.Equal(d.L0StopWritesTrigger, conf.GetInt("level0-stop-writes-trigger"));
        Assert.Equal(d.SlowdownDelay, conf.GetTimeSpan("slowdown-delay"));
        Assert.Equal(d.MaxBytesForLevelBase, conf.GetByteSize("max-bytes-for-level-base"));
        Assert.Equal(d.LevelSizeMultiplier, conf.GetInt("level-size-multiplier"));
        Assert.Equal(d.TargetFileSize, conf.GetByteSize("target-file-size"));
        Assert.Equal(d.CompactionRateLimit, conf.GetByteSize("compaction-rate-limit"));
        Assert.Equal(d.CreateIfMissing, conf.GetBoolean("create-if-missing"));
    }
}
