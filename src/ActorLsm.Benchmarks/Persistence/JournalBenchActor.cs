using System.Threading.Channels;
using Akka.Actor;
using Akka.Persistence;

namespace ActorLsm.Benchmarks.Persistence;

/// <summary>How a <see cref="JournalBenchActor"/> persists the commands it gets.</summary>
public enum BenchMode
{
    /// <summary><c>Persist</c> per command: the next command waits (stashed) until the event is stored.</summary>
    Persist,

    /// <summary>Commands gathered <see cref="JournalBenchActor.BatchSize"/> at a time, then one <c>PersistAll</c>.</summary>
    PersistAll,

    /// <summary><c>PersistAsync</c> per command: commands keep flowing while events are stored.</summary>
    PersistAsync,

    /// <summary>Commands gathered <see cref="JournalBenchActor.BatchSize"/> at a time, then one <c>PersistAllAsync</c>.</summary>
    PersistAllAsync,
}

/// <summary>One command: persist <paramref name="Payload"/> (an int event) the <paramref name="Mode"/> way.</summary>
public sealed record BenchCommand(BenchMode Mode, int Payload);

/// <summary>Sets the actor's counter of stored events back to 0 (between measured rounds).</summary>
public sealed record ResetCounter
{
    /// <summary>The only instance.</summary>
    public static ResetCounter Instance { get; } = new();
}

/// <summary>
/// The persistent actor of the journal benchmark. It stores each command's payload (an <see cref="int"/>,
/// so serialization stays out of the figures) and counts the stored events; when the count reaches
/// <c>replyAfter</c> it writes the count to <c>done</c>. Stored payloads must come back in command order
/// (1, 2, 3, ... after each <see cref="ResetCounter"/>): anything else throws, so a reordering journal
/// fails the benchmark instead of flattering it. On recovery it counts the replayed events and writes the
/// count to <c>done</c> when <c>reportRecovery</c>.
/// </summary>
public sealed class JournalBenchActor : ReceivePersistentActor
{
    /// <summary>Commands per PersistAll / PersistAllAsync call.</summary>
    public const int BatchSize = 50;

    private readonly ChannelWriter<int> _done;
    private readonly int _replyAfter;
    private readonly List<int> _batch = new(BatchSize);
    private int _counter;
    private int _recovered;

    public JournalBenchActor(string persistenceId, ChannelWriter<int> done, int replyAfter, bool reportRecovery)
    {
        PersistenceId = persistenceId;
        _done = done;
        _replyAfter = replyAfter;
        Recover<int>(_ => _recovered++);
        Recover<RecoveryCompleted>(_ =>
        {
            if (reportRecovery)
            {
                _done.TryWrite(_recovered);
            }
        });
        Command<BenchCommand>(OnCommand);
        Command<ResetCounter>(_ => _counter = 0);
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    /// <summary>Props of an actor for <paramref name="persistenceId"/> that reports to <paramref name="done"/>.</summary>
    public static Props Props(string persistenceId, ChannelWriter<int> done, int replyAfter, bool reportRecovery = false) =>
        Akka.Actor.Props.Create(() => new JournalBenchActor(persistenceId, done, replyAfter, reportRecovery));

    private void OnCommand(BenchCommand command)
    {
        switch (command.Mode)
        {
            case BenchMode.Persist:
                Persist(command.Payload, Stored);
                break;
            case BenchMode.PersistAsync:
                PersistAsync(command.Payload, Stored);
                break;
            case BenchMode.PersistAll:
            case BenchMode.PersistAllAsync:
                _batch.Add(command.Payload);
                if (_batch.Count == BatchSize)
                {
                    int[] events = [.. _batch];
                    _batch.Clear();
                    if (command.Mode == BenchMode.PersistAll)
                    {
                        PersistAll(events, Stored);
                    }
                    else
                    {
                        PersistAllAsync(events, Stored);
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Mode, "unknown mode");
        }
    }

    private void Stored(int payload)
    {
        _counter++;
        if (payload != _counter)
        {
            throw new InvalidOperationException($"{PersistenceId}: stored event {payload} arrived as number {_counter}: the journal reordered writes");
        }

        if (_counter == _replyAfter)
        {
            _done.TryWrite(_counter);
        }
    }
}
