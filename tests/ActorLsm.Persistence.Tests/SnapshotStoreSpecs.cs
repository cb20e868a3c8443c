using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;

namespace ActorLsm.Persistence.Tests;

/// <summary>
/// The snapshot store's rules (those of the TCK's SnapshotStoreSpec, in our own words) through the snapshot
/// store actor's protocol, in both modes; the fixtures set chunk-size = 1 KiB so large snapshots are chunked.
/// </summary>
public abstract class SnapshotStoreSpecs
{
    private static readonly DateTime s_t0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly IPersistenceFixture _fixture;

    protected SnapshotStoreSpecs(IPersistenceFixture fixture) => _fixture = fixture;

    private ActorSystem Sys => _fixture.Kit.Sys;

    private IActorRef Store => Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    private static string NewPid() => "snap-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Snapshots "s-10", "s-20", "s-30", "s-40" at seq 10..40 and times t0 + 1..4 minutes.</summary>
    private string SaveFour()
    {
        string pid = NewPid();
        for (int i = 1; i <= 4; i++)
        {
            Save(new SnapshotMetadata(pid, i * 10, s_t0.AddMinutes(i)), $"s-{i * 10}");
        }

        return pid;
    }

    [Fact]
    public void Load_Latest_ReturnsTheHighestSequenceNr()
    {
        string pid = SaveFour();
        SelectedSnapshot? s = Load(pid, SnapshotSelectionCriteria.Latest);
        Assert.NotNull(s);
        Assert.Equal((40L, "s-40", s_t0.AddMinutes(4)), (s.Metadata.SequenceNr, (string)s.Snapshot, s.Metadata.Timestamp));
    }

    [Theory]
    [InlineData(35, 10_000, 0, 30)]
    [InlineData(long.MaxValue, 2, 0, 20)]
    [InlineData(long.MaxValue, 10_000, 25, 40)]
    [InlineData(25, 10_000, 15, 20)]
    [InlineData(5, 10_000, 0, -1)]
    [InlineData(long.MaxValue, 10_000, 45, -1)]
    [InlineData(long.MaxValue, 0, 0, -1)]
    public void Load_ByCriteria_ReturnsTheNewestMatch(long maxSeq, int maxMinutes, long minSeq, long expectedSeq)
    {
        string pid = SaveFour();
        DateTime maxTime = maxMinutes == 10_000 ? DateTime.MaxValue : s_t0.AddMinutes(maxMinutes);
        SelectedSnapshot? s = Load(pid, new SnapshotSelectionCriteria(maxSeq, maxTime, minSeq));
        Assert.Equal(expectedSeq, s?.Metadata.SequenceNr ?? -1);
        if (s is not null)
        {
            Assert.Equal($"s-{expectedSeq}", s.Snapshot);
        }
    }

    [Fact]
    public void Load_MinTimestamp_SkipsOlderSnapshots()
    {
        string pid = SaveFour();
        Assert.Null(Load(pid, new SnapshotSelectionCriteria(20, DateTime.MaxValue, 0, s_t0.AddMinutes(3))));
        Assert.Equal(40, Load(pid, new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue, 0, s_t0.AddMinutes(3)))!.Metadata.SequenceNr);
    }

    [Fact]
    public void Save_SameSequenceNr_Overwrites()
    {
        string pid = SaveFour();
        Save(new SnapshotMetadata(pid, 40, s_t0.AddMinutes(9)), "replaced");
        SelectedSnapshot s = Load(pid, SnapshotSelectionCriteria.Latest)!;
        Assert.Equal(("replaced", s_t0.AddMinutes(9)), ((string)s.Snapshot, s.Metadata.Timestamp));
    }

    [Fact]
    public void Delete_OneBySequenceNr_RemovesOnlyIt()
    {
        string pid = SaveFour();
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Store.Tell(new DeleteSnapshot(new SnapshotMetadata(pid, 40, DateTime.MinValue)), probe.Ref);
        probe.ExpectMsg<DeleteSnapshotSuccess>(_fixture.Timeout);
        Assert.Equal(30, Load(pid, SnapshotSelectionCriteria.Latest)!.Metadata.SequenceNr);
    }

    [Fact]
    public void Delete_ByCriteria_RemovesEveryMatch()
    {
        string pid = SaveFour();
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Store.Tell(new DeleteSnapshots(pid, new SnapshotSelectionCriteria(30, DateTime.MaxValue, 15)), probe.Ref);
        probe.ExpectMsg<DeleteSnapshotsSuccess>(_fixture.Timeout);
        Assert.Equal(10, Load(pid, new SnapshotSelectionCriteria(35))!.Metadata.SequenceNr);
        Assert.Equal(40, Load(pid, SnapshotSelectionCriteria.Latest)!.Metadata.SequenceNr);
    }

    [Fact]
    public async Task Save_LargerThanOneChunk_IsChunkedAndLoadsWholeAndOverwriteDropsOldChunks()
    {
        string pid = NewPid();
        string big = string.Concat(Enumerable.Range(0, 1500).Select(i => $"{i:D5}|"));
        Save(new SnapshotMetadata(pid, 7, s_t0), big);
        Assert.Equal(big, Load(pid, SnapshotSelectionCriteria.Latest)!.Snapshot);

        byte[] pidBase = new PersistenceKeys("akka").PidBase(pid);
        Assert.True(await CountChunksAsync(pidBase) >= 9, "a 9000-byte snapshot with 1 KiB chunks is chunked");

        Save(new SnapshotMetadata(pid, 7, s_t0), "small now");
        Assert.Equal("small now", Load(pid, SnapshotSelectionCriteria.Latest)!.Snapshot);
        Assert.Equal(0, await CountChunksAsync(pidBase));
    }

    private async Task<int> CountChunksAsync(byte[] pidBase)
    {
        IPersistenceStorage storage = PersistenceStorageExtension.For(Sys).Acquire(
            PluginSettings.From(Sys.Settings.Config.GetConfig(ActorLsmPersistence.SnapshotStorePluginId), ActorLsmPersistence.DefaultSnapshotStoreConfig));
        return (await storage.ScanAsync([.. pidBase, PersistenceKeys.ChunkKind], [.. pidBase, PersistenceKeys.ChunkKind + 1], 1000)).Count;
    }

    private void Save(SnapshotMetadata metadata, object snapshot)
    {
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Store.Tell(new SaveSnapshot(metadata, snapshot), probe.Ref);
        probe.ExpectMsg<SaveSnapshotSuccess>(_fixture.Timeout);
    }

    private SelectedSnapshot? Load(string pid, SnapshotSelectionCriteria criteria)
    {
        TestProbe probe = _fixture.Kit.CreateTestProbe();
        Store.Tell(new LoadSnapshot(pid, criteria, long.MaxValue), probe.Ref);
        return probe.ExpectMsg<LoadSnapshotResult>(_fixture.Timeout).Snapshot;
    }
}

/// <summary>The snapshot store specs on a local LsmStore.</summary>
public sealed class EmbeddedSnapshotStoreSpecs(EmbeddedFixture fixture) : SnapshotStoreSpecs(fixture), IClassFixture<EmbeddedFixture>;

/// <summary>The snapshot store specs on a three-node cluster (RF 3).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSnapshotStoreSpecs(ClusterFixture fixture) : SnapshotStoreSpecs(fixture);
