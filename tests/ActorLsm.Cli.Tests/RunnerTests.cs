using System.Text;
using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class RunnerTests
{
    private static CoreWorkloadSettings Settings(params string[] overrides)
    {
        var p = new WorkloadProperties(PropertyFile.Parse(WorkloadTexts.UpdateHeavy, "a"));
        p.ApplyOverrides(overrides);
        return CoreWorkloadSettings.From(p);
    }

    private static async Task<YcsbResult> RunAsync(IYcsbStore store, CoreWorkloadSettings settings, YcsbPhase phase, int threads = 3) =>
        await new YcsbRunner(store, new CoreWorkload(settings, phase), threads, seed: 5).RunAsync(CancellationToken.None);

    [Fact]
    public async Task RunAsync_LoadPhase_InsertsEveryRecordWithHashedKeys()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=300");

        YcsbResult result = await RunAsync(store, settings, YcsbPhase.Load);

        Assert.Equal(300, result.Operations);
        Assert.Equal(300, result.Measurements[YcsbOperation.Insert].Ok);
        Assert.Equal(300, store.Count);
        var expected = Enumerable.Range(0, 300).Select(i => KeyNames.Build(i, ordered: false, zeroPadding: 1)).ToHashSet();
        Assert.True(expected.SetEquals(store.Keys().Select(k => Encoding.ASCII.GetString(k))));
        byte[]? record = await store.GetAsync(KeyNames.BuildBytes(0, ordered: false, zeroPadding: 1), CancellationToken.None);
        Assert.Equal(10, RecordCodec.Decode(record!).Count);
    }

    [Fact]
    public async Task RunAsync_LoadWithInsertStart_InsertsItsSlice()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=100", "insertstart=60", "insertorder=ordered", "zeropadding=4");

        YcsbResult result = await RunAsync(store, settings, YcsbPhase.Load);

        Assert.Equal(40, result.Operations);
        Assert.Equal(Enumerable.Range(60, 40).Select(i => $"user{i:D4}"), store.Keys().Select(k => Encoding.ASCII.GetString(k)));
    }

    [Fact]
    public async Task RunAsync_FailingStore_CountsErrorsAndFirstMessage()
    {
        var store = new InMemoryYcsbStore { FailPuts = true };

        YcsbResult result = await RunAsync(store, Settings("recordcount=20"), YcsbPhase.Load);

        Assert.Equal(20, result.InsertErrors);
        Assert.Contains("injected failure", result.FirstError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UpdateHeavy_CountsMatchAndNothingMissing()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=200", "operationcount=2000");
        await RunAsync(store, settings, YcsbPhase.Load);

        YcsbResult result = await RunAsync(store, settings, YcsbPhase.Run);

        long reads = result.Measurements[YcsbOperation.Read].Operations;
        long updates = result.Measurements[YcsbOperation.Update].Operations;
        Assert.Equal(2000, reads + updates);
        Assert.InRange(reads, 800, 1200);
        Assert.Equal(0, result.ErrorCount);
        Assert.All(result.Measurements.Values, m => Assert.Equal(0, m.NotFound));
        Assert.Equal(200, store.Count);
    }

    [Fact]
    public async Task RunAsync_OperationBudget_RunsThatManyInsteadOfOperationCount()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=100", "operationcount=2000");
        await RunAsync(store, settings, YcsbPhase.Load);

        var runner = new YcsbRunner(store, new CoreWorkload(settings, YcsbPhase.Run), threads: 3, seed: 9, operations: 150);
        YcsbResult result = await runner.RunAsync(CancellationToken.None);

        Assert.Equal(150, runner.Total);
        Assert.Equal(150, result.Operations);
        Assert.Equal(150, result.Measurements.Values.Sum(m => m.Operations));
    }

    [Fact]
    public void Constructor_NegativeBudget_Throws()
    {
        CoreWorkloadSettings settings = Settings("recordcount=10");

        Assert.Throws<ArgumentOutOfRangeException>(() => new YcsbRunner(new InMemoryYcsbStore(), new CoreWorkload(settings, YcsbPhase.Run), threads: 1, seed: 1, operations: -1));
    }

    [Fact]
    public async Task RunAsync_LatestWithInserts_ReadsOnlyInsertedKeysAndContinuesNumbering()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=200", "operationcount=1000", "readproportion=0.9", "updateproportion=0", "insertproportion=0.1", "requestdistribution=latest", "insertorder=ordered", "zeropadding=6");
        await RunAsync(store, settings, YcsbPhase.Load);

        YcsbResult result = await RunAsync(store, settings, YcsbPhase.Run, threads: 4);

        long inserts = result.Measurements[YcsbOperation.Insert].Ok;
        Assert.Equal(1000, result.Measurements[YcsbOperation.Read].Operations + inserts);
        Assert.Equal(0, result.Measurements[YcsbOperation.Read].NotFound);
        Assert.Equal(200 + inserts, store.Count);
        Assert.Equal($"user{199 + inserts:D6}", Encoding.ASCII.GetString(store.Keys()[^1]));
    }

    [Fact]
    public async Task RunAsync_ScanAndReadModifyWrite_RecordEveryType()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=200", "operationcount=600", "readproportion=0", "updateproportion=0", "scanproportion=0.5", "readmodifywriteproportion=0.5", "maxscanlength=10", "requestdistribution=uniform");
        await RunAsync(store, settings, YcsbPhase.Load);

        YcsbResult result = await RunAsync(store, settings, YcsbPhase.Run);

        long scans = result.Measurements[YcsbOperation.Scan].Operations;
        long rmw = result.Measurements[YcsbOperation.ReadModifyWrite].Operations;
        Assert.Equal(600, scans + rmw);
        Assert.Equal(600, result.Operations);
        // A read-modify-write's read and update are also measured on their own, as YCSB does.
        Assert.Equal(rmw, result.Measurements[YcsbOperation.Read].Operations);
        Assert.Equal(rmw, result.Measurements[YcsbOperation.Update].Operations);
        Assert.Equal(0, result.ErrorCount);
    }

    [Fact]
    public async Task RunAsync_OneFieldUpdate_KeepsOtherFields()
    {
        var store = new InMemoryYcsbStore();
        CoreWorkloadSettings settings = Settings("recordcount=1", "operationcount=20", "readproportion=0", "updateproportion=1", "insertorder=ordered");
        await RunAsync(store, settings, YcsbPhase.Load, threads: 1);
        byte[] before = (await store.GetAsync(Encoding.ASCII.GetBytes("user0"), CancellationToken.None))!;

        await RunAsync(store, settings, YcsbPhase.Run, threads: 1);

        List<KeyValuePair<string, byte[]>> old = RecordCodec.Decode(before);
        List<KeyValuePair<string, byte[]>> now = RecordCodec.Decode((await store.GetAsync(Encoding.ASCII.GetBytes("user0"), CancellationToken.None))!);
        Assert.Equal(old.Select(f => f.Key), now.Select(f => f.Key));
        int changed = Enumerable.Range(0, 10).Count(i => !old[i].Value.AsSpan().SequenceEqual(now[i].Value));
        Assert.InRange(changed, 1, 10);
        Assert.All(now, f => Assert.Equal(100, f.Value.Length));
    }

    [Fact]
    public void CoreWorkload_RunWithoutRecords_ThrowsTyped()
    {
        Assert.Throws<WorkloadPropertyException>(() => new CoreWorkload(Settings("recordcount=0"), YcsbPhase.Run));
    }
}
