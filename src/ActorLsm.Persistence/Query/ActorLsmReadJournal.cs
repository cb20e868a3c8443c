using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Akka.Util;

namespace ActorLsm.Persistence.Query;

/// <summary>
/// Creates the <see cref="ActorLsmReadJournal"/> for <c>PersistenceQuery.Get(system).ReadJournalFor&lt;ActorLsmReadJournal&gt;(ActorLsmReadJournal.Identifier)</c>.
/// Akka.Persistence.Query instantiates it from the <c>class</c> key of the plugin block, passing that block.
/// </summary>
public sealed class ActorLsmReadJournalProvider : IReadJournalProvider
{
    private readonly ActorLsmReadJournal _journal;

    /// <param name="system">The ActorSystem the queries run in.</param>
    /// <param name="config">The plugin block (<c>akka.persistence.query.journal.actorlsm</c> or another id); reference.conf fills in missing keys.</param>
    /// <exception cref="ConfigurationException">A bad setting, or a write-plugin block that is missing.</exception>
    public ActorLsmReadJournalProvider(ExtendedActorSystem system, Config config)
    {
        ArgumentNullException.ThrowIfNull(system);
        QuerySettings settings = QuerySettings.From((config ?? Config.Empty).WithFallback(ActorLsmPersistence.DefaultQueryConfig));
        Config journalConfig = system.Settings.Config.GetConfig(settings.WritePlugin)
            ?? throw new ConfigurationException($"read journal: write-plugin {settings.WritePlugin} has no config block");
        PluginSettings store = PluginSettings.From(journalConfig, ActorLsmPersistence.DefaultJournalConfig);
        _journal = new ActorLsmReadJournal(new QueryContext(
            PersistenceStorageExtension.For(system).Acquire(store),
            new PersistenceKeys(store.KeyPrefix),
            system.Serialization,
            settings,
            new QueryWakeup(system, store.KeyPrefix)));
    }

    /// <inheritdoc />
    public IReadJournal GetReadJournal() => _journal;
}

/// <summary>
/// The Akka.Persistence.Query read journal over the ActorLsm journal's keys (FORMAT.md). Every query is a
/// range scan of one small key range on one shard: an id's events, a tag's index, the all-events index or
/// the persistence-ids index; none walks the whole key space. The <c>Current*</c> queries complete after
/// the entries stored when they reach the end; the live ones go on, woken by the journal of the same
/// ActorSystem (<see cref="JournalWritten"/> on the EventStream) and otherwise every
/// <c>refresh-interval</c> (1 s by default; how writes from other processes are seen in cluster mode).
/// </summary>
/// <remarks>
/// Offsets: <see cref="Offset.Sequence"/> of the event's ordering (FORMAT.md "Ordering": the writing
/// journal's hybrid clock, increasing per writer and close to wall-clock order across writers). A tag or
/// all-events query from <c>Offset.Sequence(n)</c> returns events with ordering &gt; n; <see cref="NoOffset"/>
/// returns all. Other offset kinds are refused with ArgumentException. Envelopes carry the deserialized
/// payload (no event adapters applied), the sequence number, the writer's timestamp and the tags. Events
/// deleted with DeleteMessagesTo disappear from the persistence-id queries; the tag and all-events indexes
/// keep their copies. A store error or a record that fails its check (CorruptionException naming the key)
/// fails the stream.
/// </remarks>
public sealed class ActorLsmReadJournal :
    IPersistenceIdsQuery,
    ICurrentPersistenceIdsQuery,
    IEventsByPersistenceIdQuery,
    ICurrentEventsByPersistenceIdQuery,
    IEventsByTagQuery,
    ICurrentEventsByTagQuery,
    IAllEventsQuery,
    ICurrentAllEventsQuery
{
    /// <summary>The plugin id users pass to <c>ReadJournalFor</c>.</summary>
    public const string Identifier = ActorLsmPersistence.QueryPluginId;

    private readonly QueryContext _context;

    internal ActorLsmReadJournal(QueryContext context) => _context = context;

    /// <summary>Every persistence id written so far (each once, in id order), then each new one as it is first written.</summary>
    public Source<string, NotUsed> PersistenceIds() => Ids(live: true);

    /// <summary>Every persistence id written so far, each once, in id order; then completes.</summary>
    public Source<string, NotUsed> CurrentPersistenceIds() => Ids(live: false);

    /// <summary>
    /// The events of <paramref name="persistenceId"/> with sequence numbers in
    /// [<paramref name="fromSequenceNr"/>, <paramref name="toSequenceNr"/>], in order, then each new one as it
    /// is written; completes once <paramref name="toSequenceNr"/> has been emitted (never for long.MaxValue).
    /// </summary>
    public Source<EventEnvelope, NotUsed> EventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        ById(persistenceId, fromSequenceNr, toSequenceNr, live: true);

    /// <summary>The stored events of <paramref name="persistenceId"/> in [<paramref name="fromSequenceNr"/>, <paramref name="toSequenceNr"/>], in order; then completes.</summary>
    public Source<EventEnvelope, NotUsed> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        ById(persistenceId, fromSequenceNr, toSequenceNr, live: false);

    /// <summary>The events tagged <paramref name="tag"/> after <paramref name="offset"/>, in ordering order, then each new one as it is written.</summary>
    public Source<EventEnvelope, NotUsed> EventsByTag(string tag, Offset offset) => ByIndex(_context.Keys.TagBase(Checked(tag)), offset, live: true);

    /// <summary>The stored events tagged <paramref name="tag"/> after <paramref name="offset"/>, in ordering order; then completes.</summary>
    public Source<EventEnvelope, NotUsed> CurrentEventsByTag(string tag, Offset offset) => ByIndex(_context.Keys.TagBase(Checked(tag)), offset, live: false);

    /// <summary>
    /// Every event after <paramref name="offset"/>, in ordering order, then each new one as it is written.
    /// Empty when the journal runs with <c>all-events-index = off</c>.
    /// </summary>
    public Source<EventEnvelope, NotUsed> AllEvents(Offset offset) => ByIndex(_context.Keys.AllBase, offset, live: true);

    /// <summary>Every stored event after <paramref name="offset"/>, in ordering order; then completes.</summary>
    public Source<EventEnvelope, NotUsed> CurrentAllEvents(Offset offset) => ByIndex(_context.Keys.AllBase, offset, live: false);

    private Source<string, NotUsed> Ids(bool live) =>
        Source.Lazily(() => Pages(new PersistenceIdsCursor(_context, live).NextAsync)).MapMaterializedValue(_ => NotUsed.Instance);

    private Source<EventEnvelope, NotUsed> ById(string persistenceId, long fromSequenceNr, long toSequenceNr, bool live)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        return Source.Lazily(() => Pages(new PersistenceIdCursor(_context, persistenceId, fromSequenceNr, toSequenceNr, live).NextAsync))
            .MapMaterializedValue(_ => NotUsed.Instance);
    }

    private Source<EventEnvelope, NotUsed> ByIndex(byte[] indexBase, Offset offset, bool live)
    {
        // Validate the offset now (ArgumentException to the caller), but make the cursor per materialization.
        _ = new IndexCursor(_context, indexBase, offset, live);
        return Source.Lazily(() => Pages(new IndexCursor(_context, indexBase, offset, live).NextAsync)).MapMaterializedValue(_ => NotUsed.Instance);
    }

    private static Source<T, NotUsed> Pages<T>(Func<Task<IReadOnlyList<T>?>> next) =>
        Source.UnfoldAsync(0, async _ => await next().ConfigureAwait(false) is { } page ? Option<(int, IReadOnlyList<T>)>.Create((0, page)) : Option<(int, IReadOnlyList<T>)>.None)
            .SelectMany(page => page)
            .SelectError(e => e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);

    private static string Checked(string tag) => string.IsNullOrEmpty(tag) ? throw new ArgumentException("a tag is a non-empty string", nameof(tag)) : tag;
}
