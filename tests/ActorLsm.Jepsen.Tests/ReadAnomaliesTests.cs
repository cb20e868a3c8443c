using ActorLsm.Jepsen.Tests.Harness;
using ActorLsm.Jepsen.Tests.Workloads;
using ActorLsm.Server.Tests.Linearizability;

namespace ActorLsm.Jepsen.Tests;

/// <summary>The per-read classification and the verdict rules, on hand-made histories (no processes, no root).</summary>
public sealed class ReadAnomaliesTests
{
    private static Operation Put(long id, string value, long invoke, long ret, OperationOutcome outcome = OperationOutcome.Ok) =>
        new(id, 0, OperationKind.Put, "k", value, null, invoke, outcome == OperationOutcome.Ok ? ret : long.MaxValue, outcome);

    private static Operation Get(long id, string? output, long invoke, long ret) =>
        new(id, 1, OperationKind.Get, "k", null, output, invoke, ret, OperationOutcome.Ok);

    [Fact]
    public void Classify_ReadOfValueOverwrittenBeforeItBegan_CountsOneStaleRead()
    {
        Operation[] history = [Put(0, "a", 0, 1), Put(1, "b", 2, 3), Get(2, "a", 4, 5)];

        (IReadOnlyList<Operation> stale, IReadOnlyList<Operation> wrong) = ReadAnomalies.Classify(history);

        Assert.Equal([2L], stale.Select(o => o.Id));
        Assert.Empty(wrong);
        Assert.Equal(CheckOutcome.Illegal, LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(5)).Outcome);
    }

    [Fact]
    public void Classify_ReadConcurrentWithOverwrite_CountsNothing()
    {
        Operation[] history = [Put(0, "a", 0, 1), Put(1, "b", 2, 6), Get(2, "a", 4, 5)];

        (IReadOnlyList<Operation> stale, IReadOnlyList<Operation> wrong) = ReadAnomalies.Classify(history);

        Assert.Empty(stale);
        Assert.Empty(wrong);
    }

    [Fact]
    public void Classify_AbsentAfterAcknowledgedPut_CountsStale()
    {
        (IReadOnlyList<Operation> stale, _) = ReadAnomalies.Classify([Put(0, "a", 0, 1), Get(1, null, 2, 3)]);

        Assert.Single(stale);
    }

    [Fact]
    public void Classify_ValueNeverWrittenOrWrittenAfterTheRead_CountsWrong()
    {
        Operation[] history = [Put(0, "a", 0, 1), Get(1, "zzz", 2, 3), Get(2, "late", 4, 5), Put(3, "late", 6, 7)];

        (_, IReadOnlyList<Operation> wrong) = ReadAnomalies.Classify(history);

        Assert.Equal([1L, 2L], wrong.Select(o => o.Id));
    }

    [Fact]
    public void Classify_ReadOfIndeterminatePut_CountsNothing()
    {
        Operation[] history = [Put(0, "a", 0, 0, OperationOutcome.Indeterminate), Put(1, "b", 2, 3), Get(2, "a", 4, 5)];

        (IReadOnlyList<Operation> stale, IReadOnlyList<Operation> wrong) = ReadAnomalies.Classify(history);

        Assert.Empty(stale);
        Assert.Empty(wrong);
        Assert.Equal(CheckOutcome.Ok, LinearizabilityChecker.Check(history, TimeSpan.FromSeconds(5)).Outcome);
    }

    [Fact]
    public void Violation_LostWriteOrWrongValue_AlwaysFails()
    {
        CycleResult ok = Cycle(CheckOutcome.Ok, stale: 0);

        Assert.Null(ok.Violation());
        Assert.NotNull((ok with { WrongValues = 1 }).Violation());
        CycleResult lost = Cycle(CheckOutcome.Ok, stale: 0);
        lost.LostWrites = 1;
        Assert.NotNull(lost.Violation());
    }

    [Fact]
    public void Violation_IllegalHistory_FailsUnlessStaleReadsExplainItWhileTheyAreAKnownAnomaly()
    {
        Assert.NotNull(Cycle(CheckOutcome.Illegal, stale: 0).Violation());
        Assert.Equal(KnownAnomalies.StaleReadsFromOldLeader, Cycle(CheckOutcome.Illegal, stale: 2).Violation() is null);
        Assert.Equal(KnownAnomalies.StaleReadsFromOldLeader, Cycle(CheckOutcome.Ok, stale: 1).Violation() is null);
        Assert.Null(Cycle(CheckOutcome.Unknown, stale: 0).Violation());
        Assert.Equal(KnownAnomalies.ClusterCanStayStuckAfterDowning, (Cycle(CheckOutcome.Ok, stale: 0) with { Recovered = false }).Violation() is null);
    }

    [Fact]
    public void Render_TwoFaults_OneRowEachAndATotal()
    {
        CycleResult a = Cycle(CheckOutcome.Ok, stale: 0);
        CycleResult b = Cycle(CheckOutcome.Illegal, stale: 3) with { Fault = FaultKind.PauseLeader, LongestWriteOutage = TimeSpan.FromSeconds(7.5), Recovered = false };

        string table = ResultTable.Render([a, b], "header");

        Assert.Contains("| IsolateNode | 1 | 0 | 0 | 0 | ok | 1.0 s | 0 |", table, StringComparison.Ordinal);
        Assert.Contains("| PauseLeader | 1 | 0 | 3 | 0 | 1 not linearizable of 1 | 7.5 s | 1 |", table, StringComparison.Ordinal);
        Assert.Contains("| **all** | 2 | 0 | 3 | 0 | 1 not linearizable of 2 | 7.5 s | 1 |", table, StringComparison.Ordinal);
    }

    private static CycleResult Cycle(CheckOutcome outcome, int stale) =>
        new(1, FaultKind.IsolateNode, "test", 10, new CheckResult(outcome, null, null, outcome.ToString()), stale, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), []);
}
