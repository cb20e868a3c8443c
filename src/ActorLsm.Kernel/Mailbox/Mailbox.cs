using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace ActorLsm.Kernel;

/// <summary>
/// One actor's queues: a bounded (or unbounded) channel of user envelopes with many writers and a
/// single reader, an unbounded queue of system messages that bypasses the bound, and the
/// idle/scheduled flag that guarantees at most one processing run at a time.
/// </summary>
internal sealed class Mailbox
{
    private const int Idle = 0;
    private const int Scheduled = 1;

    private readonly ChannelReader<Envelope> _reader;
    private readonly ChannelWriter<Envelope> _writer;
    private readonly ConcurrentQueue<SystemMessage> _system = new();
    private int _status;

    // REQUIRES: capacity >= 1; int.MaxValue means unbounded.
    public Mailbox(int capacity, MailboxOverflow overflow)
    {
        Capacity = capacity;
        Overflow = overflow;
        Channel<Envelope> channel = capacity == Props.UnboundedMailbox
            ? Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false })
            : Channel.CreateBounded<Envelope>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails fast; we never call WriteAsync.
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            });
        _reader = channel.Reader;
        _writer = channel.Writer;
        AssertInvariants();
    }

    public int Capacity { get; }

    public MailboxOverflow Overflow { get; }

    public int UserCount => _reader.Count;

    public bool HasUserMessages => _reader.TryPeek(out _);

    public bool HasSystemMessages => !_system.IsEmpty;

    /// <summary>False when the bounded queue is full; never blocks.</summary>
    public bool TryEnqueueUser(in Envelope envelope) => _writer.TryWrite(envelope);

    public void EnqueueSystem(SystemMessage message) => _system.Enqueue(message);

    // REQUIRES: called only by the running processing loop (single reader).
    public bool TryDequeueUser(out Envelope envelope) => _reader.TryRead(out envelope);

    // REQUIRES: called only by the running processing loop.
    public bool TryDequeueSystem(out SystemMessage? message) => _system.TryDequeue(out message);

    /// <summary>True for exactly one caller until <see cref="SetIdle"/>: that caller must schedule the run.</summary>
    public bool TrySetScheduled() => Interlocked.CompareExchange(ref _status, Scheduled, Idle) == Idle;

    /// <summary>Full fence, so a following emptiness check cannot miss an enqueue that saw "scheduled".</summary>
    // REQUIRES: called by the running processing loop when it ends.
    public void SetIdle() => Interlocked.Exchange(ref _status, Idle);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Capacity >= 1, "capacity is at least one");
        Debug.Assert(_status is Idle or Scheduled, "status is idle or scheduled");
    }
}
