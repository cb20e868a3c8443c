using System.Diagnostics;

namespace ActorLsm.Server.Tests.Linearizability;

/// <summary>
/// Records a concurrent history of register operations for <see cref="LinearizabilityChecker"/>, the way
/// Porcupine's and Jepsen's clients do: each client calls <see cref="Invoke"/> just before sending a request
/// and exactly one of <see cref="Complete"/>, <see cref="Indeterminate"/> or <see cref="Fail"/> just after
/// its response (or error). Taking the invoke time early and the return time late only widens intervals,
/// which can hide a violation but never invent one. Thread-safe.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly Lock _lock = new();
    private readonly List<Operation> _operations = [];
    private readonly List<bool> _finished = [];
    private readonly Func<long> _clock;

    /// <summary>A recorder timing operations with <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public HistoryRecorder()
        : this(Stopwatch.GetTimestamp)
    {
    }

    /// <summary>A recorder timing operations with <paramref name="clock"/> (monotonic, non-decreasing; tests pass a counter).</summary>
    public HistoryRecorder(Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>Records the invocation of an operation and returns its id (0, 1, 2, ... in call order).</summary>
    /// <param name="clientId">The issuing client; one client has at most one operation outstanding.</param>
    /// <param name="kind">Put or Get.</param>
    /// <param name="key">The key (register).</param>
    /// <param name="value">For Put, the value written (null deletes); null for Get.</param>
    public long Invoke(int clientId, OperationKind kind, string key, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            long id = _operations.Count;
            _operations.Add(new Operation(id, clientId, kind, key, value, null, _clock(), long.MaxValue, OperationOutcome.Indeterminate));
            _finished.Add(false);
            return id;
        }
    }

    /// <summary>Records a successful response; <paramref name="output"/> is the value a Get read (null = absent).</summary>
    /// <exception cref="InvalidOperationException">The id is unknown or the operation already ended.</exception>
    public void Complete(long id, string? output = null) =>
        Finish(id, op => op with { Output = op.Kind == OperationKind.Get ? output : null, ReturnTicks = _clock(), Outcome = OperationOutcome.Ok });

    /// <summary>Records an unknown outcome (timeout, unavailable, not enough replicas): the operation may or may not have taken effect.</summary>
    /// <exception cref="InvalidOperationException">The id is unknown or the operation already ended.</exception>
    public void Indeterminate(long id) => Finish(id, op => op);

    /// <summary>Records a definite failure: the operation did not take effect (e.g. a validation error).</summary>
    /// <exception cref="InvalidOperationException">The id is unknown or the operation already ended.</exception>
    public void Fail(long id) => Finish(id, op => op with { ReturnTicks = _clock(), Outcome = OperationOutcome.Failed });

    /// <summary>
    /// The operations recorded so far, ordered by id. An operation invoked but not yet ended appears as
    /// <see cref="OperationOutcome.Indeterminate"/>, which is what it is to a checker.
    /// </summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_lock)
        {
            return [.. _operations];
        }
    }

    private void Finish(long id, Func<Operation, Operation> end)
    {
        lock (_lock)
        {
            if (id < 0 || id >= _operations.Count)
            {
                throw new InvalidOperationException($"operation {id} was never invoked");
            }

            if (_finished[(int)id])
            {
                throw new InvalidOperationException($"operation {id} already ended: {_operations[(int)id]}");
            }

            _finished[(int)id] = true;
            _operations[(int)id] = end(_operations[(int)id]);
        }
    }
}
