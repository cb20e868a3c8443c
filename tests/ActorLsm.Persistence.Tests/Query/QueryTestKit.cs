using ActorLsm.Persistence.Hosting;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Query;
using ActorLsm.Persistence.Storage;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Hosting;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Xunit.Abstractions;

namespace ActorLsm.Persistence.Tests.Query;

/// <summary>Persist <paramref name="Events"/> (a <see cref="Tagged"/> is stored with its tags) with PersistAll. Reply: <see cref="Written"/>.</summary>
public sealed record WriteEvents(IReadOnlyList<object> Events);

/// <summary>The events of a <see cref="WriteEvents"/> are stored; the last sequence number.</summary>
public sealed record Written(long LastSequenceNr);

/// <summary>DeleteMessagesTo(<paramref name="ToSequenceNr"/>). Reply: Akka's DeleteMessagesSuccess or DeleteMessagesFailure.</summary>
public sealed record DeleteEvents(long ToSequenceNr);

/// <summary>A persistent actor the query tests write through: it stores what it is told and replies.</summary>
public sealed class QueryTestWriter : ReceivePersistentActor
{
    private IActorRef? _deleteRequester;

    public QueryTestWriter(string persistenceId)
    {
        PersistenceId = persistenceId;
        RecoverAny(_ => { });
        Command<WriteEvents>(w =>
        {
            IActorRef replyTo = Sender;
            int left = w.Events.Count;
            PersistAll(w.Events, _ =>
            {
                if (--left == 0)
                {
                    replyTo.Tell(new Written(LastSequenceNr));
                }
            });
        });
        Command<DeleteEvents>(d =>
        {
            _deleteRequester = Sender;
            DeleteMessages(d.ToSequenceNr);
        });
        Command<DeleteMessagesSuccess>(m => _deleteRequester?.Tell(m));
        Command<DeleteMessagesFailure>(m => _deleteRequester?.Tell(m));
    }

    /// <inheritdoc />
    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new QueryTestWriter(persistenceId));
}

/// <summary>
/// An ActorSystem with the ActorLsm journal embedded in a fresh directory (the HOCON WithActorLsmPersistence
/// puts in front), the read journal, and helpers to write through <see cref="QueryTestWriter"/>, run queries
/// and reach the store underneath.
/// </summary>
public abstract class QueryTestKit : Akka.TestKit.Xunit2.TestKit
{
    private readonly Dictionary<string, IActorRef> _writers = [];

    protected QueryTestKit(string directory, TimeSpan refreshInterval, ITestOutputHelper output)
        : base(ConfigFor(directory, refreshInterval), output: output)
    {
        Directory = directory;
        Queries = PersistenceQuery.Get(Sys).ReadJournalFor<ActorLsmReadJournal>(ActorLsmReadJournal.Identifier);
    }

    /// <summary>The store's directory (deleted on dispose).</summary>
    protected string Directory { get; }

    protected ActorLsmReadJournal Queries { get; }

    protected IMaterializer Materializer => Sys.Materializer();

    /// <summary>A fresh directory under the temp directory.</summary>
    protected static string NewDirectory() => Path.Combine(Path.GetTempPath(), "actorlsm-query-" + Guid.NewGuid().ToString("N"));

    private static Config ConfigFor(string directory, TimeSpan refreshInterval) =>
        ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            akka.persistence.query.journal.actorlsm.refresh-interval = {(long)refreshInterval.TotalMilliseconds}ms
            """)
            .WithFallback(ActorLsmPersistenceHostingExtensions.BuildHocon(ActorLsmStoreMode.Embedded, directory, PersistenceMode.Both, "actorlsm", isDefaultPlugin: true))
            .WithFallback(ActorLsmPersistence.DefaultConfig);

    /// <summary>Writes <paramref name="events"/> as <paramref name="persistenceId"/> and waits until they are stored; the last sequence number.</summary>
    protected async Task<long> WriteAsync(string persistenceId, params object[] events)
    {
        if (!_writers.TryGetValue(persistenceId, out IActorRef? writer))
        {
            writer = Sys.ActorOf(QueryTestWriter.Props(persistenceId));
            _writers[persistenceId] = writer;
        }

        return (await writer.Ask<Written>(new WriteEvents(events), TimeSpan.FromSeconds(20))).LastSequenceNr;
    }

    /// <summary>DeleteMessagesTo(<paramref name="toSequenceNr"/>) through <paramref name="persistenceId"/>'s writer.</summary>
    protected async Task DeleteAsync(string persistenceId, long toSequenceNr) =>
        Assert.IsType<DeleteMessagesSuccess>(await _writers[persistenceId].Ask<object>(new DeleteEvents(toSequenceNr), TimeSpan.FromSeconds(20)));

    /// <summary>Every element of a finite query.</summary>
    protected Task<IReadOnlyList<T>> CollectAsync<T>(Source<T, NotUsed> query) =>
        query.RunWith(Sink.Seq<T>(), Materializer).ContinueWith(t => (IReadOnlyList<T>)t.Result, TaskScheduler.Default);

    /// <summary>Runs a live query into a probe: each element, then "complete" or a Status.Failure.</summary>
    protected TestProbe Subscribe<T>(Source<T, NotUsed> query)
    {
        TestProbe probe = CreateTestProbe();
        query.RunWith(Sink.ActorRef<T>(probe.Ref, "complete", e => new Status.Failure(e)), Materializer);
        return probe;
    }

    /// <summary>The store under the journal, shared with it (the same open LsmStore).</summary>
    internal IPersistenceStorage Storage =>
        PersistenceStorageExtension.For(Sys).Acquire(PluginSettings.From(Sys.Settings.Config.GetConfig(ActorLsmPersistence.JournalPluginId), ActorLsmPersistence.DefaultJournalConfig));

    internal static PersistenceKeys Keys { get; } = new("akka");

    /// <summary>The record of string event <paramref name="payload"/> as the journal would store it.</summary>
    internal EventRecord RecordOf(string persistenceId, long seq, ulong ordering, string payload, params string[] tags)
    {
        Akka.Serialization.Serializer serializer = Sys.Serialization.FindSerializerFor(payload);
        return new EventRecord(seq, persistenceId, DateTime.UtcNow.Ticks, ordering, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, payload), string.Empty, "test-writer", tags, serializer.ToBinary(payload));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open on a slow shutdown stays in the temp directory.
        }
    }
}
