using ActorLsm.Hocon;

namespace ActorLsm.Storage.Tests.Engine;

/// <summary>reference.conf documents the defaults of LsmOptions: the two must agree.</summary>
public sealed class ReferenceConfTests
{
    [Fact]
    public void ReferenceConf_EveryDefault_MatchesLsmOptions()
    {
        HoconConfig conf = HoconConfig.Parse(LsmReferenceConfig.Text, "reference.conf").GetConfig("actorlsm.storage");
        var d = new LsmOptions();
        Assert.Equal(d.MaxKeySize, conf.GetBytes("max-key-size"));
        Assert.Equal(d.MaxValueSize, conf.GetBytes("max-value-size"));
        Assert.Equal(d.MemTableSize, conf.GetBytes("memtable-size"));
        Assert.Equal(d.MaxImmutableMemTables, conf.GetInt("max-immutable-memtables"));
        Assert.Equal(d.WalSyncMode.ToString(), conf.GetString("wal-sync-mode"), ignoreCase: true);
        Assert.Equal(d.WalSyncInterval, conf.GetDuration("wal-sync-interval"));
        Assert.Equal(d.FlushInterval, conf.GetDuration("flush-interval"));
        Assert.Equal(d.BlockSize, conf.GetBytes("block-size"));
        Assert.Equal(d.BlockRestartInterval, conf.GetInt("block-restart-interval"));
        Assert.Equal(d.BloomBitsPerKey, conf.GetInt("bloom-bits-per-key"));
        Assert.Equal(d.Compression.ToString(), conf.GetString("compression"), ignoreCase: true);
        Assert.Equal(d.BlockCacheSize, conf.GetBytes("block-cache-size"));
        Assert.Equal(d.MaxOpenFiles, conf.GetInt("max-open-files"));
        Assert.Equal(d.VerifyChecksums, conf.GetBool("verify-checksums"));
        Assert.Equal(d.NumLevels, conf.GetInt("num-levels"));
        Assert.Equal(d.L0CompactionTrigger, conf.GetInt("level0-file-num-compaction-trigger"));
        Assert.Equal(d.L0SlowdownWritesTrigger, conf.GetInt("level0-slowdown-writes-trigger"));
        Assert.Equal(d.L0StopWritesTrigger, conf.GetInt("level0-stop-writes-trigger"));
        Assert.Equal(d.SlowdownDelay, conf.GetDuration("slowdown-delay"));
        Assert.Equal(d.MaxBytesForLevelBase, conf.GetBytes("max-bytes-for-level-base"));
        Assert.Equal(d.LevelSizeMultiplier, conf.GetInt("level-size-multiplier"));
        Assert.Equal(d.TargetFileSize, conf.GetBytes("target-file-size"));
        Assert.Equal(d.CompactionRateLimit, conf.GetBytes("compaction-rate-limit"));
        Assert.Equal(d.CreateIfMissing, conf.GetBool("create-if-missing"));
    }
}
