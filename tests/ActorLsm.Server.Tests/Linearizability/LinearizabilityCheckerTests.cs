using System.Diagnostics;

namespace ActorLsm.Server.Tests.Linearizability;

/// <summary>
/// <see cref="LinearizabilityChecker"/> on hand-written histories with a known verdict, on random
/// histories of a simulated linearizable register (and the same histories with one read corrupted),
/// on a large history within a time bound, and <see cref="HistoryRecorder"/> under concurrent clients.
/// </summary>
public sealed class LinearizabilityCheckerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private long _nextId;

    private Operation Put(int client, string key, string? value, long invoke, long ret, OperationOutcome outcome = OperationOutcome.Ok) =>
        new(_nextId++, client, OperationKind.Put, key, value, null, invoke, ret, outcome);

    private Operation Get(int client, string key, string? output, long invoke, long ret, OperationOutcome outcome = OperationOutcome.Ok) =>
        new(_nextId++, client, OperationKind.Get, key, null, output, invoke, ret, outcome);

    [Fact]
    public void Check_SequentialHistory_IsOk()
    {
        Operation[] history =
        [
            Get(0, "k", null, 0, 1),
            Put(0, "k", "a", 2, 3),
            Get(1, "k", "a", 4, 5),
            Put(1, "k", "b", 6, 7),
            Get(0, "k", "b", 8, 9),
            Put(0, "k", null, 10, 11),
            Get(1, "k", null, 12, 13),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Ok, result.Outcome);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    public void Check_OverlappingWritesAndReadSeeingEither_IsOk(string seen)
    {
        Operation[] history =
        [
            Put(0, "k", "a", 0, 10),
            Put(1, "k", "b", 2, 12),
            Get(2, "k", seen, 4, 14),
            Get(2, "k", seen, 15, 16),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.True(result.Outcome == CheckOutcome.Ok, result.ToString());
    }

    [Fact]
    public void Check_OverlappingWritesThenReadsFlipFlopping_IsIllegal()
    {
        // After both writes completed, the register holds one of them for good.
        Operation[] history =
        [
            Put(0, "k", "a", 0, 10),
            Put(1, "k", "b", 2, 12),
            Get(2, "k", "a", 13, 14),
            Get(2, "k", "b", 15, 16),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
    }

    [Fact]
    public void Check_StaleReadAfterCompletedWrite_IsIllegal()
    {
        Operation[] history =
        [
            Put(0, "k", "old", 0, 1),
            Put(0, "k", "new", 2, 3),
            Get(1, "k", "old", 4, 5),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal("k", result.Key);
        Assert.Equal(history[2], result.Blocking);
        Assert.Contains("2 of 3", result.Description, StringComparison.Ordinal);
        Assert.Contains("\"new\"", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ReadOfValueNeverWritten_IsIllegal()
    {
        Operation[] history =
        [
            Put(0, "k", "a", 0, 5),
            Get(1, "k", "ghost", 1, 6),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal(history[1], result.Blocking);
    }

    [Fact]
    public void Check_IndeterminateWriteObservedLater_IsOk()
    {
        Operation[] history =
        [
            Put(0, "k", "a", 0, 1),
            Put(0, "k", "maybe", 2, 0, OperationOutcome.Indeterminate),
            Get(1, "k", "a", 10, 11),
            Get(1, "k", "maybe", 100, 101),
            Get(1, "k", "maybe", 102, 103),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.True(result.Outcome == CheckOutcome.Ok, result.ToString());
    }

    [Fact]
    public void Check_IndeterminateWriteNeverObserved_IsOk()
    {
        Operation[] history =
        [
            Put(0, "k", "a", 0, 1),
            Put(0, "k", "lost", 2, 0, OperationOutcome.Indeterminate),
            Get(1, "k", "a", 10, 11),
            Get(1, "k", "a", 100, 101),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.True(result.Outcome == CheckOutcome.Ok, result.ToString());
    }

    [Fact]
    public void Check_IndeterminateWriteObservedThenLost_IsIllegal()
    {
        Operation[] history =
        [
            Put(0, "k", "a", 0, 1),
            Put(0, "k", "maybe", 2, 0, OperationOutcome.Indeterminate),
            Get(1, "k", "maybe", 10, 11),
            Get(1, "k", "a", 12, 13),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
    }

    [Fact]
    public void Check_FailedWriteObserved_IsIllegal()
    {
        Operation[] history =
        [
            Put(0, "k", "rejected", 0, 1, OperationOutcome.Failed),
            Get(1, "k", "rejected", 2, 3),
            Get(1, "k", "anything", 4, 5, OperationOutcome.Indeterminate),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal(history[1], result.Blocking);
    }

    [Fact]
    public void Check_ViolationOnOneOfSeveralKeys_NamesThatKey()
    {
        Operation[] history =
        [
            Put(0, "a", "1", 0, 1),
            Put(0, "b", "1", 2, 3),
            Get(1, "a", "1", 4, 5),
            Get(1, "b", null, 6, 7),
            Get(1, "c", null, 8, 9),
        ];

        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

        Assert.Equal(CheckOutcome.Illegal, result.Outcome);
        Assert.Equal("b", result.Key);
    }

    [Fact]
    public void Check_ZeroTimeout_IsUnknown()
    {
        Operation[] history = [Put(0, "k", "a", 0, 1), Get(1, "k", "a", 2, 3)];

        CheckResult result = LinearizabilityChecker.Check(history, TimeSpan.Zero);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.Equal("k", result.Key);
    }

    [Fact]
    public void Check_ReturnBeforeInvoke_Throws()
    {
        Operation[] history = [Put(0, "k", "a", 5, 4)];

        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check(history, s_timeout));
    }

    [Fact]
    public void Check_RandomHistoriesOfLinearizableRegister_AreOk()
    {
        for (int seed = 1; seed <= 40; seed++)
        {
            IReadOnlyList<Operation> history = SimulatedRegister.History(seed, clients: 5, opsPerClient: 60, keys: 2);

            CheckResult result = LinearizabilityChecker.Check(history, s_timeout);

            Assert.True(result.Outcome == CheckOutcome.Ok, $"seed {seed}: {result}");
        }
    }

    [Fact]
    public void Check_RandomHistoriesWithOneReadCorrupted_AreIllegalOnThatKey()
    {
        for (int seed = 1; seed <= 40; seed++)
        {
            IReadOnlyList<Operation> history = SimulatedRegister.History(seed, clients: 5, opsPerClient: 60, keys: 2);
            var random = new Random(seed);
            Operation[] reads = [.. history.Where(op => op.Kind == OperationKind.Get && op.Outcome == OperationOutcome.Ok)];
            Operation victim = reads[random.Next(reads.Length)];
            Operation[] corrupted = [.. history.Select(op => op.Id == victim.Id ? op with { Output = "never-written" } : op)];

            CheckResult result = LinearizabilityChecker.Check(corrupted, s_timeout);

            Assert.True(result.Outcome == CheckOutcome.Illegal, $"seed {seed}, corrupted {victim}: {result}");
            Assert.True(result.Key == victim.Key, $"seed {seed}, corrupted {victim}: {result}");
        }
    }

    [Fact]
    public void Check_FiveClientsTwoThousandOpsTwentyKeys_TakesWellUnderASecond()
    {
        const int seed = 7;
        _ = LinearizabilityChecker.Check(SimulatedRegister.History(seed, clients: 2, opsPerClient: 50, keys: 2), s_timeout); // JIT warm-up
        IReadOnlyList<Operation> history = SimulatedRegister.History(seed, clients: 5, opsPerClient: 2000, keys: 20);

        var watch = Stopwatch.StartNew();
        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);
        watch.Stop();

        Assert.True(result.Outcome == CheckOutcome.Ok, $"seed {seed}: {result}");
        Assert.Equal(10_000, history.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"seed {seed}: took {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task HistoryRecorder_ConcurrentClients_RecordsEveryOperationWithItsOutcome()
    {
        var recorder = new HistoryRecorder();
        const int clients = 4;
        const int perClient = 250;
        var register = new Lock();
        string? value = null;

        Task[] tasks = [.. Enumerable.Range(0, clients).Select(c => Task.Run(() =>
        {
            for (int i = 0; i < perClient; i++)
            {
                if (i % 2 == 0)
                {
                    string written = $"{c}-{i}";
                    long id = recorder.Invoke(c, OperationKind.Put, "k", written);
                    lock (register)
                    {
                        value = written;
                    }

                    if (i % 10 == 0)
                    {
                        recorder.Indeterminate(id);
                    }
                    else
                    {
                        recorder.Complete(id);
                    }
                }
                else
                {
                    long id = recorder.Invoke(c, OperationKind.Get, "k");
                    string? read;
                    lock (register)
                    {
                        read = value;
                    }

                    recorder.Complete(id, read);
                }
            }
        }))];
        await Task.WhenAll(tasks);

        IReadOnlyList<Operation> history = recorder.Snapshot();
        Assert.Equal(clients * perClient, history.Count);
        Assert.Equal(Enumerable.Range(0, clients * perClient).Select(i => (long)i), history.Select(op => op.Id));
        Assert.Equal(clients * perClient / 10, history.Count(op => op.Outcome == OperationOutcome.Indeterminate));
        Assert.All(history.Where(op => op.Outcome == OperationOutcome.Ok), op => Assert.True(op.ReturnTicks >= op.InvokeTicks));
        CheckResult result = LinearizabilityChecker.Check(history, s_timeout);
        Assert.True(result.Outcome == CheckOutcome.Ok, result.ToString());
    }

    [Fact]
    public void HistoryRecorder_EndedTwiceOrUnknownId_Throws()
    {
        long tick = 0;
        var recorder = new HistoryRecorder(() => tick++);
        long id = recorder.Invoke(0, OperationKind.Get, "k");
        recorder.Fail(id);

        Assert.Throws<InvalidOperationException>(() => recorder.Complete(id, "x"));
        Assert.Throws<InvalidOperationException>(() => recorder.Indeterminate(id + 1));
        Operation op = Assert.Single(recorder.Snapshot());
        Assert.Equal(OperationOutcome.Failed, op.Outcome);
        Assert.Equal((0L, 1L), (op.InvokeTicks, op.ReturnTicks));
    }

    [Fact]
    public void HistoryRecorder_OperationNeverEnded_AppearsIndeterminate()
    {
        long tick = 0;
        var recorder = new HistoryRecorder(() => tick++);
        long put = recorder.Invoke(0, OperationKind.Put, "k", "a");
        recorder.Complete(put);
        _ = recorder.Invoke(1, OperationKind.Put, "k", "b");

        IReadOnlyList<Operation> history = recorder.Snapshot();

        Assert.Equal([OperationOutcome.Ok, OperationOutcome.Indeterminate], history.Select(op => op.Outcome));
        Assert.Equal(CheckOutcome.Ok, LinearizabilityChecker.Check(history, s_timeout).Outcome);
    }

    /// <summary>
    /// Histories of a register that is linearizable by construction: every operation gets a random
    /// instant inside its interval and the registers are applied in the order of those instants.
    /// Values are unique per seed (<c>v&lt;id&gt;</c>), so a read of any other value is never legal.
    /// </summary>
    private static class SimulatedRegister
    {
        public static IReadOnlyList<Operation> History(int seed, int clients, int opsPerClient, int keys)
        {
            var random = new Random(seed);
            var ops = new List<(Operation Op, long At, bool Applies)>();
            long id = 0;
            for (int client = 0; client < clients; client++)
            {
                long now = random.Next(10);
                for (int i = 0; i < opsPerClient; i++)
                {
                    long invoke = now + random.Next(4);
                    long ret = invoke + 1 + random.Next(30);
                    now = ret;
                    string key = "key" + random.Next(keys).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    bool isPut = random.Next(2) == 0;
                    int fate = random.Next(100);
                    OperationOutcome outcome = fate < 5 ? OperationOutcome.Indeterminate : fate < 8 ? OperationOutcome.Failed : OperationOutcome.Ok;
                    string? value = isPut && random.Next(10) != 0 ? "v" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                    long at = invoke + random.NextInt64(ret - invoke + 1);
                    bool applies = outcome == OperationOutcome.Ok || (outcome == OperationOutcome.Indeterminate && random.Next(2) == 0);
                    if (outcome == OperationOutcome.Indeterminate && applies)
                    {
                        at = invoke + random.Next(200); // may take effect long after the client gave up
                    }

                    var op = new Operation(id++, client, isPut ? OperationKind.Put : OperationKind.Get, key, isPut ? value : null, null,
                        invoke, outcome == OperationOutcome.Indeterminate ? long.MaxValue : ret, outcome);
                    ops.Add((op, at, applies));
                }
            }

            var registers = new Dictionary<string, string?>(StringComparer.Ordinal);
            var result = new List<Operation>(ops.Count);
            foreach ((Operation op, _, bool applies) in ops.OrderBy(o => o.At).ThenBy(o => o.Op.Id))
            {
                if (op.Kind == OperationKind.Put)
                {
                    if (applies)
                    {
                        registers[op.Key] = op.Value;
                    }

                    result.Add(op);
                }
                else
                {
                    result.Add(op with { Output = applies ? registers.GetValueOrDefault(op.Key) : "unanswered" });
                }
            }

            return [.. result.OrderBy(op => op.Id)];
        }
    }
}
