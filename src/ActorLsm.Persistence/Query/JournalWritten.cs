namespace ActorLsm.Persistence.Query;

/// <summary>
/// Published on the ActorSystem's EventStream by <see cref="ActorLsmJournal"/> after a write (its events and,
/// with <c>wait-for-index = on</c>, their index entries) is stored. The read journals of the same system
/// subscribe to it, so a live query reads its index range right after a write instead of waiting for its
/// <c>refresh-interval</c>. Writes made by journals in other processes (cluster mode) publish nothing here:
/// there the refresh interval is what wakes a query.
/// </summary>
/// <param name="KeyPrefix">The writing journal's <c>key-prefix</c>: read journals over another prefix ignore it.</param>
/// <param name="PersistenceIds">The persistence ids written, each once.</param>
/// <param name="Tags">The tags of the written events, each once; empty when none was tagged.</param>
public sealed record JournalWritten(string KeyPrefix, IReadOnlyList<string> PersistenceIds, IReadOnlyList<string> Tags);
