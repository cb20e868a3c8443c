using System.Diagnostics;

namespace ActorLsm.Server.Tests.Linearizability;

/// <summary>
/// Decides whether a history of <see cref="Operation"/>s on key-value registers is linearizable
/// (Herlihy and Wing 1990). The history is split by key, which is sound because linearizability is
/// compositional per object (P-compositionality, Horn and Kroening 2015); each key is searched with the
/// Wing and Gong (1993) backtracking algorithm plus Lowe's (2017) memoization of (set of linearized
/// operations, register value) configurations already explored, the combination Porcupine
/// (github.com/anishathalye/porcupine) uses. Written here from the published algorithm, not ported.
/// </summary>
/// <remarks>
/// Model: one register per key, initially absent (null). Put(v) sets it to v (null deletes) and always
/// succeeds; Get returns its value. Failed operations are dropped; Indeterminate Puts get return time
/// infinity (they may be linearized anywhere after their invocation, including after every other
/// operation, which means "never took effect"); Indeterminate Gets are dropped. Operations whose
/// intervals touch (one's return tick equals another's invoke tick) are treated as concurrent.
/// </remarks>
public static class LinearizabilityChecker
{
    private const int StepsBetweenClockChecks = 1024;

    /// <summary>
    /// Checks <paramref name="history"/>. Keys are checked one after another in ordinal order; the first
    /// illegal key decides the result. The clock is looked at before each key and every 1024 search steps;
    /// when <paramref name="timeout"/> has passed the result is <see cref="CheckOutcome.Unknown"/> (a
    /// non-positive timeout gives Unknown at once for a non-empty history).
    /// </summary>
    /// <exception cref="ArgumentException">An Ok operation returns before it is invoked, or two operations share an id.</exception>
    public static CheckResult Check(IReadOnlyList<Operation> history, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(history);
        long deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);
        var ids = new HashSet<long>();
        foreach (Operation op in history)
        {
            if (!ids.Add(op.Id))
            {
                throw new ArgumentException($"operation id {op.Id} appears twice", nameof(history));
            }

            if (op.Outcome == OperationOutcome.Ok && op.ReturnTicks < op.InvokeTicks)
            {
                throw new ArgumentException($"operation returns before it is invoked: {op}", nameof(history));
            }
        }

        var byKey = history
            .Where(Relevant)
            .GroupBy(op => op.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        foreach (IGrouping<string, Operation> group in byKey)
        {
            CheckResult result = KeySearch.Run(group.Key, [.. group], deadline);
            if (result.Outcome != CheckOutcome.Ok)
            {
                return result;
            }
        }

        return CheckResult.Linearizable(byKey.Count, byKey.Sum(g => g.Count()));
    }

    /// <summary>Failed operations and Gets without an answer say nothing about the register.</summary>
    private static bool Relevant(Operation op) => op.Outcome switch
    {
        OperationOutcome.Ok => true,
        OperationOutcome.Indeterminate => op.Kind == OperationKind.Put,
        _ => false,
    };

    /// <summary>The register's transition: Put always applies; Get must see the current value.</summary>
    private static bool Step(string? state, Operation op, out string? next)
    {
        if (op.Kind == OperationKind.Put)
        {
            next = op.Value;
            return true;
        }

        next = state;
        return string.Equals(state, op.Output, StringComparison.Ordinal);
    }

    /// <summary>One call or return event in the doubly linked event list of a key.</summary>
    private sealed class Event
    {
        public Event? Prev;
        public Event? Next;

        /// <summary>For a call event, its return event; null for returns and the head.</summary>
        public Event? Match;

        /// <summary>Index of the operation in the key's operation array; -1 for the head.</summary>
        public int Op = -1;

        public bool IsCall;
    }

    /// <summary>A memoized configuration: which operations are linearized, and the register's value after them.</summary>
    private readonly struct Config(ulong[] bits, string? state) : IEquatable<Config>
    {
        private readonly int _hash = HashOf(bits, state);

        public ulong[] Bits { get; } = bits;

        public string? State { get; } = state;

        public bool Equals(Config other) =>
            _hash == other._hash && string.Equals(State, other.State, StringComparison.Ordinal) && Bits.AsSpan().SequenceEqual(other.Bits);

        public override bool Equals(object? obj) => obj is Config other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int HashOf(ulong[] bits, string? state)
        {
            var hash = new HashCode();
            foreach (ulong word in bits)
            {
                hash.Add(word);
            }

            hash.Add(state, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }

    /// <summary>The search over one key's operations.</summary>
    private sealed class KeySearch
    {
        private readonly string _key;
        private readonly Operation[] _ops;
        private readonly long _deadline;
        private readonly Event _head = new();
        private readonly ulong[] _linearized;
        private readonly HashSet<Config> _seen = [];
        private readonly Stack<(Event Call, string? StateBefore)> _calls = new();

        // The deepest point the search reached: how many operations were linearized, the register's
        // value, and the operation whose return came before it could be placed.
        private int _bestDepth = -1;
        private string? _bestState;
        private int _bestBlocking = -1;

        private KeySearch(string key, Operation[] ops, long deadline)
        {
            _key = key;
            _ops = ops;
            _deadline = deadline;
            _linearized = new ulong[(ops.Length + 63) / 64];
        }

        /// <summary>REQUIRES: every op in <paramref name="ops"/> has key <paramref name="key"/> and is relevant (see <see cref="Relevant"/>).</summary>
        public static CheckResult Run(string key, Operation[] ops, long deadline) => new KeySearch(key, ops, deadline).Search();

        private CheckResult Search()
        {
            if (Stopwatch.GetTimestamp() > _deadline)
            {
                return Unknown();
            }

            BuildEvents();
            string? state = null;
            Event entry = _head.Next!;
            long steps = 0;
            while (_head.Next is not null)
            {
                if (++steps % StepsBetweenClockChecks == 0 && Stopwatch.GetTimestamp() > _deadline)
                {
                    return Unknown();
                }

                if (entry.IsCall)
                {
                    Operation op = _ops[entry.Op];
                    if (Step(state, op, out string? next))
                    {
                        Set(entry.Op);
                        if (_seen.Add(new Config((ulong[])_linearized.Clone(), next)))
                        {
                            _calls.Push((entry, state));
                            state = next;
                            Lift(entry);
                            entry = _head.Next!;
                            continue;
                        }

                        Clear(entry.Op);
                    }

                    // A call is always followed by its own return, so Next is not null.
                    entry = entry.Next!;
                }
                else
                {
                    // Operation entry.Op must have taken effect by now but cannot be placed: undo the last choice.
                    if (_calls.Count > _bestDepth)
                    {
                        (_bestDepth, _bestState, _bestBlocking) = (_calls.Count, state, entry.Op);
                    }

                    if (_calls.Count == 0)
                    {
                        return Illegal();
                    }

                    (Event call, string? before) = _calls.Pop();
                    state = before;
                    Clear(call.Op);
                    Unlift(call);
                    entry = call.Next!;
                }
            }

            return CheckResult.Linearizable(1, _ops.Length);
        }

        /// <summary>
        /// The events sorted by time, a call before a return at the same tick (touching intervals overlap);
        /// Indeterminate operations return at infinity.
        /// </summary>
        private void BuildEvents()
        {
            var events = new List<(long Time, int Order, Event Event)>(_ops.Length * 2);
            for (int i = 0; i < _ops.Length; i++)
            {
                Operation op = _ops[i];
                var ret = new Event { Op = i, IsCall = false };
                var call = new Event { Op = i, IsCall = true, Match = ret };
                long returnTime = op.Outcome == OperationOutcome.Ok ? op.ReturnTicks : long.MaxValue;
                events.Add((op.InvokeTicks, 0, call));
                events.Add((returnTime, 1, ret));
            }

            events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
                : a.Order != b.Order ? a.Order.CompareTo(b.Order)
                : a.Event.Op.CompareTo(b.Event.Op));
            Event last = _head;
            foreach ((_, _, Event e) in events)
            {
                last.Next = e;
                e.Prev = last;
                last = e;
            }
        }

        /// <summary>Removes a call and its return from the list. REQUIRES: <paramref name="call"/> is a linked call event.</summary>
        private static void Lift(Event call)
        {
            call.Prev!.Next = call.Next;
            call.Next!.Prev = call.Prev;
            Event ret = call.Match!;
            ret.Prev!.Next = ret.Next;
            if (ret.Next is not null)
            {
                ret.Next.Prev = ret.Prev;
            }
        }

        /// <summary>Puts back a call and its return. REQUIRES: the last lifted call is <paramref name="call"/> (stack order).</summary>
        private static void Unlift(Event call)
        {
            Event ret = call.Match!;
            ret.Prev!.Next = ret;
            if (ret.Next is not null)
            {
                ret.Next.Prev = ret;
            }

            call.Prev!.Next = call;
            call.Next!.Prev = call;
        }

        private void Set(int i) => _linearized[i >> 6] |= 1UL << (i & 63);

        private void Clear(int i) => _linearized[i >> 6] &= ~(1UL << (i & 63));

        private CheckResult Unknown() =>
            new(CheckOutcome.Unknown, _key, null, $"timed out while checking key {_key} ({_ops.Length} operations)");

        private CheckResult Illegal()
        {
            Operation blocking = _ops[_bestBlocking];
            string description =
                $"key {_key} is not linearizable: the longest linearizable prefix found has {_bestDepth} of {_ops.Length} operations, " +
                $"leaving the register {Operation.Show(_bestState)}, and {blocking} cannot be linearized after it " +
                $"(it returned before any remaining operation could make it legal)";
            return new CheckResult(CheckOutcome.Illegal, _key, blocking, description);
        }
    }
}
