using System.Diagnostics;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Coordination;

/// <summary>What a read-modify-write command decided from the values it read: its reply and its writes (none: a read).</summary>
/// <param name="Reply">The reply, sent once the writes (and any earlier writes it depends on) are durable.</param>
/// <param name="Writes">The writes, applied as one atomic batch; null or empty for none.</param>
public readonly record struct Mutation(RespValue Reply, IReadOnlyList<RespWrite>? Writes);

/// <summary>
/// Makes RESP writes atomic per Redis Cluster hash slot: every RESP command that writes, or reads several keys
/// at once, runs through the state of its slot here (all keys of a command share one slot, else CROSSSLOT).
/// </summary>
/// <remarks>
/// <para>
/// Why: the shards apply writes in their mailbox order but a read (GET) and a later write are separate
/// messages, so INCR done as "get, then put" could lose a concurrent update. A lock held from the read to the
/// durable write would be correct but would serialise writes to one key behind one fsync each; redis-benchmark
/// writes one key from 50 clients.
/// </para>
/// <para>
/// How (per slot, under a striped lock): the coordinator keeps an <em>overlay</em> of the values its
/// submitted-but-not-yet-acknowledged writes will leave, and a count of those writes (outstanding).
/// <list type="bullet">
/// <item>A command reads each key from the overlay, or, when absent, from the store: with the slot blocked
/// (later commands of the slot queue behind it) until the read returns. A key not in the overlay has no
/// write in flight, so the store's value is current.</item>
/// <item>Its computed writes go straight to the shard (one atomic batch; the shard applies a slot's batches in
/// submission order, because submissions happen under the slot's lock) unless the command read an overlay
/// value. Then it depends on writes not yet durable: it joins the slot's <em>next batch</em>, submitted as one
/// write when every outstanding write has succeeded, or failed with their error if any failed (nothing of it
/// is written). So 50 INCRs of one key cost one commit, not 50, and none sees a value that is then lost.</item>
/// <item>Once a batch forms, every later command of the slot joins it, keeping the slot's order.</item>
/// <item>When nothing is outstanding the overlay is dropped: its values are all in the store.</item>
/// </list>
/// Every reply is sent only after the writes it depends on are durable; its linearization point is its
/// position in the slot's order.
/// </para>
/// <para>
/// Exclusive commands (<see cref="ExclusiveAsync"/>: the expiry commands, whose read-modify-write runs as one
/// update at the shard, which sees expiries the overlay does not hold) take their place in the slot's order,
/// wait until every earlier write of the slot is durable (so the overlay is empty and the store current), and
/// keep the slot to themselves until their update completes. Reads of a single key (GET) go to the store directly and see acknowledged
/// writes. Writes made through the native protocol do not pass here: RESP atomicity is among RESP commands
/// (a cluster routes every RESP write of a slot to the one node leading it).
/// </para>
/// </remarks>
public sealed class SlotWriteCoordinator
{
    private const int StripeCount = 64;
    private readonly IRespBackend _backend;
    private readonly Stripe[] _stripes;

    /// <summary>A coordinator over <paramref name="backend"/>'s reads and writes.</summary>
    public SlotWriteCoordinator(IRespBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _stripes = new Stripe[StripeCount];
        for (int i = 0; i < StripeCount; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    /// <summary>Slots with state (writes in flight, reads in progress or commands queued); 0 when quiet.</summary>
    public int ActiveSlots
    {
        get
        {
            int n = 0;
            foreach (Stripe s in _stripes)
            {
                lock (s.Gate)
                {
                    n += s.Slots.Count;
                }
            }

            return n;
        }
    }

    /// <summary>
    /// Runs one command on <paramref name="slot"/>: reads <paramref name="reads"/> (current values, in order;
    /// null when absent), calls <paramref name="compute"/> once with them under the slot's lock, applies its
    /// writes and completes with its reply when they are durable. <paramref name="compute"/> must be quick and
    /// must not block; an exception from it fails the task. REQUIRES: every key read or written is in <paramref name="slot"/>.
    /// </summary>
    public Task<RespValue> ExecuteAsync(int slot, byte[][] reads, Func<byte[]?[], Mutation> compute)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(compute);
        return Enqueue(slot, new Op(reads, compute));
    }

    /// <summary>
    /// Runs <paramref name="action"/> alone on <paramref name="slot"/>, in the slot's order: after every earlier
    /// command's writes are durable, and before any later command of the slot starts. For a read-modify-write the
    /// backend makes atomic by itself (an update at the shard) that must not interleave with this coordinator's
    /// writes in flight. The task completes as <paramref name="action"/>'s does. REQUIRES: the action touches only keys of <paramref name="slot"/>.
    /// </summary>
    public Task<RespValue> ExclusiveAsync(int slot, Func<Task<RespValue>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Enqueue(slot, new Op([], _ => throw new InvalidOperationException("an exclusive command computes nothing here"), action));
    }

    /// <summary>Runs <paramref name="op"/> now when the slot is free, else queues it behind the slot's running command; its task completes with the command.</summary>
    private Task<RespValue> Enqueue(int slot, Op op)
    {
        Stripe stripe = _stripes[slot % StripeCount];
        lock (stripe.Gate)
        {
            if (!stripe.Slots.TryGetValue(slot, out SlotState? state))
            {
                state = new SlotState();
                stripe.Slots[slot] = state;
            }

            if (state.Blocked)
            {
                state.Waiting.Enqueue(op);
            }
            else
            {
                Run(slot, state, op);
                RemoveIfIdle(stripe, slot, state);
            }

            state.AssertInvariants();
        }

        return op.Completion.Task;
    }

    /// <summary>A write with nothing to read (SET, MSET): <paramref name="reply"/> once <paramref name="writes"/> are durable.</summary>
    public Task<RespValue> WriteAsync(int slot, IReadOnlyList<RespWrite> writes, RespValue reply) =>
        ExecuteAsync(slot, [], _ => new Mutation(reply, writes));

    // REQUIRES: the stripe's lock is held; !state.Blocked.
    private void Run(int slot, SlotState state, Op op)
    {
        if (op.Exclusive is not null)
        {
            if (state.Outstanding > 0 || state.Next is not null)
            {
                // Parked until every earlier write is durable (OnWritten starts it); later commands queue behind.
                state.Parked = op;
            }
            else
            {
                StartExclusive(slot, state, op);
            }

            return;
        }

        var values = new byte[]?[op.Reads.Length];
        List<int>? missing = null;
        bool usedOverlay = false;
        for (int i = 0; i < op.Reads.Length; i++)
        {
            if (state.Overlay.TryGetValue(op.Reads[i], out byte[]? value))
            {
                values[i] = value;
                usedOverlay = true;
            }
            else
            {
                (missing ??= []).Add(i);
            }
        }

        if (missing is null)
        {
            Apply(slot, state, op, values, usedOverlay);
            return;
        }

        // The slot waits for the store's answer; commands arriving meanwhile queue in order.
        state.Reading = true;
        var reads = new Task<byte[]?>[missing.Count];
        for (int i = 0; i < reads.Length; i++)
        {
            try
            {
                reads[i] = _backend.GetAsync(op.Reads[missing[i]], CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                reads[i] = Task.FromException<byte[]?>(ex);
            }
        }

        _ = Task.WhenAll(reads).ContinueWith(
            all => OnRead(slot, op, values, missing, reads, usedOverlay, all.Exception?.InnerException),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    // REQUIRES: the stripe's lock is held; nothing outstanding, no next batch, so the overlay is empty.
    private void StartExclusive(int slot, SlotState state, Op op)
    {
        state.Reading = true;
        Task<RespValue> action;
        try
        {
            action = op.Exclusive!();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            action = Task.FromException<RespValue>(ex);
        }

        _ = action.ContinueWith(
            done => OnExclusiveDone(slot, op, done),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void OnExclusiveDone(int slot, Op op, Task<RespValue> done)
    {
        Stripe stripe = _stripes[slot % StripeCount];
        lock (stripe.Gate)
        {
            SlotState state = stripe.Slots[slot];
            Debug.Assert(state.Reading && state.Outstanding == 0, "an exclusive command runs alone");
            state.Reading = false;
            if (done.IsCompletedSuccessfully)
            {
                op.Completion.TrySetResult(done.Result);
            }
            else
            {
                op.Completion.TrySetException(done.Exception?.InnerException ?? new TaskCanceledException(done));
            }

            Drain(slot, state);
            RemoveIfIdle(stripe, slot, state);
            state.AssertInvariants();
        }
    }

    // REQUIRES: the stripe's lock is held. Starts queued commands in order until one blocks the slot.
    private void Drain(int slot, SlotState state)
    {
        while (!state.Blocked && state.Waiting.TryDequeue(out Op? next))
        {
            Run(slot, state, next);
        }
    }

    private void OnRead(int slot, Op op, byte[]?[] values, List<int> missing, Task<byte[]?>[] reads, bool usedOverlay, Exception? failure)
    {
        Stripe stripe = _stripes[slot % StripeCount];
        lock (stripe.Gate)
        {
            SlotState state = stripe.Slots[slot];
            Debug.Assert(state.Reading, "a read completes only while its slot is marked reading");
            state.Reading = false;
            if (failure is not null)
            {
                op.Completion.TrySetException(failure);
            }
            else
            {
                for (int i = 0; i < missing.Count; i++)
                {
                    values[missing[i]] = reads[i].Result;
                }

                Apply(slot, state, op, values, usedOverlay);
            }

            Drain(slot, state);
            RemoveIfIdle(stripe, slot, state);
            state.AssertInvariants();
        }
    }

    // REQUIRES: the stripe's lock is held.
    private void Apply(int slot, SlotState state, Op op, byte[]?[] values, bool usedOverlay)
    {
        Mutation m;
        try
        {
            m = op.Compute(values);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            op.Completion.TrySetException(ex);
            return;
        }

        bool hasWrites = m.Writes is { Count: > 0 };
        if (state.Next is not null || (usedOverlay && state.Outstanding > 0))
        {
            // Ordered after (or computed from) writes that are not durable yet.
            Batch next = state.Next ??= new Batch();
            if (hasWrites)
            {
                next.Writes.AddRange(m.Writes!);
                Remember(state, m.Writes!);
            }

            next.Waiters.Add((op.Completion, m.Reply));
            return;
        }

        if (!hasWrites)
        {
            op.Completion.TrySetResult(m.Reply);
            return;
        }

        Remember(state, m.Writes!);
        Submit(slot, state, [.. m.Writes!], [(op.Completion, m.Reply)]);
    }

    private static void Remember(SlotState state, IReadOnlyList<RespWrite> writes)
    {
        foreach (RespWrite w in writes)
        {
            state.Overlay[w.Key] = w.Value;
        }
    }

    // REQUIRES: the stripe's lock is held (submission order is the slot's order).
    private void Submit(int slot, SlotState state, List<RespWrite> writes, List<(TaskCompletionSource<RespValue> Completion, RespValue Reply)> waiters)
    {
        state.Outstanding++;
        Task write;
        try
        {
            write = _backend.WriteAsync(writes, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            write = Task.FromException(ex);
        }

        // Not ExecuteSynchronously: the continuation takes the stripe's lock, which this thread holds.
        _ = write.ContinueWith(
            done => OnWritten(slot, done.Exception?.InnerException, waiters),
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private void OnWritten(int slot, Exception? failure, List<(TaskCompletionSource<RespValue> Completion, RespValue Reply)> waiters)
    {
        Stripe stripe = _stripes[slot % StripeCount];
        lock (stripe.Gate)
        {
            SlotState state = stripe.Slots[slot];
            state.Outstanding--;
            if (failure is not null)
            {
                state.Failure ??= failure;
            }

            Complete(waiters, failure);
            if (state.Outstanding == 0)
            {
                if (state.Next is { } next)
                {
                    state.Next = null;
                    if (state.Failure is { } earlier)
                    {
                        // Computed from writes that failed: none of the batch is written.
                        Complete(next.Waiters, earlier);
                    }
                    else if (next.Writes.Count == 0)
                    {
                        Complete(next.Waiters, null);
                    }
                    else
                    {
                        Submit(slot, state, next.Writes, next.Waiters);
                    }
                }

                if (state.Outstanding == 0)
                {
                    state.Overlay.Clear();
                    state.Failure = null;
                    if (state.Parked is { } parked)
                    {
                        state.Parked = null;
                        StartExclusive(slot, state, parked);
                        Drain(slot, state);
                    }
                }
            }

            RemoveIfIdle(stripe, slot, state);
            state.AssertInvariants();
        }
    }

    private static void Complete(List<(TaskCompletionSource<RespValue> Completion, RespValue Reply)> waiters, Exception? failure)
    {
        foreach ((TaskCompletionSource<RespValue> completion, RespValue reply) in waiters)
        {
            if (failure is null)
            {
                completion.TrySetResult(reply);
            }
            else
            {
                completion.TrySetException(failure);
            }
        }
    }

    private static void RemoveIfIdle(Stripe stripe, int slot, SlotState state)
    {
        if (state.Outstanding == 0 && !state.Reading && state.Parked is null && state.Waiting.Count == 0 && state.Next is null && state.Overlay.Count == 0)
        {
            stripe.Slots.Remove(slot);
        }
    }

    private sealed class Stripe
    {
        public Lock Gate { get; } = new();

        public Dictionary<int, SlotState> Slots { get; } = [];
    }

    private sealed class Op(byte[][] reads, Func<byte[]?[], Mutation> compute, Func<Task<RespValue>>? exclusive = null)
    {
        public byte[][] Reads { get; } = reads;

        public Func<byte[]?[], Mutation> Compute { get; } = compute;

        /// <summary>Non-null for an exclusive command: the action it runs alone.</summary>
        public Func<Task<RespValue>>? Exclusive { get; } = exclusive;

        public TaskCompletionSource<RespValue> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Batch
    {
        public List<RespWrite> Writes { get; } = [];

        public List<(TaskCompletionSource<RespValue> Completion, RespValue Reply)> Waiters { get; } = [];
    }

    private sealed class SlotState
    {
        public int Outstanding { get; set; }

        /// <summary>A store read, or an exclusive command, is in progress: later commands queue.</summary>
        public bool Reading { get; set; }

        /// <summary>An exclusive command waiting for the outstanding writes; later commands queue behind it.</summary>
        public Op? Parked { get; set; }

        /// <summary>New commands must queue (in <see cref="Waiting"/>) rather than run.</summary>
        public bool Blocked => Reading || Parked is not null;

        public Exception? Failure { get; set; }

        public Batch? Next { get; set; }

        public Dictionary<byte[], byte[]?> Overlay { get; } = new(ByteArrayComparer.Instance);

        public Queue<Op> Waiting { get; } = new();

        [Conditional("DEBUG")]
        public void AssertInvariants()
        {
            Debug.Assert(Outstanding >= 0, "outstanding writes are never negative");
            Debug.Assert(Next is null || Outstanding > 0, "a next batch waits only while writes are outstanding");
            Debug.Assert(Outstanding > 0 || Overlay.Count == 0, "the overlay holds only values of outstanding writes");
            Debug.Assert(Blocked || Waiting.Count == 0, "commands queue only behind a read, an exclusive command or a parked one");
            Debug.Assert(Parked is null || Outstanding > 0 || Next is not null, "a command is parked only while earlier writes are outstanding");
        }
    }
}
