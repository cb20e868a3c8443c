using Akka.Actor;
using Akka.Persistence;

namespace ActorLsm.Persistence.Tests;

/// <summary>Tells the probe the state recovered by <see cref="LedgerActor"/>.</summary>
public sealed record Recovered(IReadOnlyList<string> Entries, long LastSequenceNr);

/// <summary>Asks <see cref="LedgerActor"/> to persist these entries with PersistAll.</summary>
public sealed record AppendAll(IReadOnlyList<string> Entries);

/// <summary>Asks <see cref="LedgerActor"/> to save a snapshot of its entries.</summary>
public sealed record TakeSnapshot;

/// <summary><see cref="LedgerActor"/> persisted an entry (the reply to a string command).</summary>
public sealed record Appended(string Entry, long SequenceNr);

/// <summary><see cref="LedgerActor"/>'s OnPersistFailure ran.</summary>
public sealed record PersistFailed(string Cause);

/// <summary><see cref="LedgerActor"/> saved a snapshot.</summary>
public sealed record SnapshotSaved(long SequenceNr);

/// <summary>
/// A persistent actor with a list of entries: a string command persists it (Persist), <see cref="AppendAll"/>
/// persists several (PersistAll), <see cref="TakeSnapshot"/> saves the list. Reports recovery, each persisted
/// entry and persist failures to the probe.
/// </summary>
public sealed class LedgerActor : ReceivePersistentActor
{
    private readonly IActorRef _probe;
    private readonly List<string> _entries = [];

    public LedgerActor(string persistenceId, IActorRef probe)
    {
        PersistenceId = persistenceId;
        _probe = probe;
        Recover<string>(_entries.Add);
        Recover<SnapshotOffer>(offer =>
        {
            _entries.Clear();
            _entries.AddRange((string[])offer.Snapshot);
        });
        Recover<RecoveryCompleted>(_ => _probe.Tell(new Recovered([.. _entries], LastSequenceNr)));
        Command<string>(entry => Persist(entry, Apply));
        Command<AppendAll>(m => PersistAll(m.Entries, Apply));
        Command<TakeSnapshot>(_ => SaveSnapshot(_entries.ToArray()));
        Command<SaveSnapshotSuccess>(s => _probe.Tell(new SnapshotSaved(s.Metadata.SequenceNr)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef probe) => Akka.Actor.Props.Create(() => new LedgerActor(persistenceId, probe));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new PersistFailed(cause.GetType().Name + ": " + cause.Message));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void Apply(string entry)
    {
        _entries.Add(entry);
        _probe.Tell(new Appended(entry, LastSequenceNr));
    }
}
