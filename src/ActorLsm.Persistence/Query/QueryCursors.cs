using System.Diagnostics;
using ActorLsm.Persistence.Layout;
using ActorLsm.Persistence.Storage;
using ActorLsm.Storage;
using Akka.Persistence.Query;
using Akka.Serialization;

namespace ActorLsm.Persistence.Query;

/// <summary>What every cursor needs: the store, the key layout, Akka's serialization and the settings.</summary>
internal sealed record QueryContext(IPersistenceStorage Storage, PersistenceKeys Keys, Serialization Serialization, QuerySettings Settings, QueryWakeup Wakeup)
{
    /// <summary>The envelope of the event record stored under <paramref name="key"/>. CorruptionException naming the key when it does not decode.</summary>
    public EventEnvelope ToEnvelope(byte[] key, byte[] value)
    {
        EventRecord record;
        try
        {
            record = EventRecord.Decode(value);
        }
        catch (FormatException e)
        {
            throw new CorruptionException($"event record under key {PersistenceKeys.Describe(key)} is corrupt: {e.Message}", e);
        }

        object payload = Serialization.Deserialize(record.Payload, record.SerializerId, record.SerializerManifest);
        return new EventEnvelope(Offset.Sequence((long)record.Ordering), record.PersistenceId, record.SequenceNr, payload, record.Timestamp, [.. record.Tags]);
    }
}

/// <summary>
/// EventsByPersistenceId / CurrentEventsByPersistenceId: pages of one id's event keys
/// (<c>event-key(from) .. event-key(to)</c>), starting after its deletion marker. The current query stops at
/// the highest sequence number read when it starts; the live one waits for wake-ups until it has emitted
/// <c>to</c>. Not thread-safe: one stream's unfold calls it one call at a time.
/// </summary>
internal sealed class PersistenceIdCursor
{
    private readonly QueryContext _context;
    private readonly string _persistenceId;
    private readonly byte[] _pidBase;
    private readonly bool _live;
    private long _next;
    private long _to;
    private bool _started;

    public PersistenceIdCursor(QueryContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, bool live)
    {
        _context = context;
        _persistenceId = persistenceId;
        _pidBase = context.Keys.PidBase(persistenceId);
        _next = Math.Max(1, fromSequenceNr);
        _to = toSequenceNr;
        _live = live;
    }

    /// <summary>The next page (possibly empty while live), or null when the query is complete.</summary>
    public async Task<IReadOnlyList<EventEnvelope>?> NextAsync()
    {
        if (!_started)
        {
            _started = true;
            byte[]? deleted = await _context.Storage.GetAsync(PersistenceKeys.Deleted(_pidBase)).ConfigureAwait(false);
            _next = Math.Max(_next, ReadSeq(deleted, PersistenceKeys.Deleted(_pidBase)) + 1);
            if (!_live)
            {
                byte[]? highest = await _context.Storage.GetAsync(PersistenceKeys.Highest(_pidBase)).ConfigureAwait(false);
                _to = Math.Min(_to, ReadSeq(highest, PersistenceKeys.Highest(_pidBase)));
            }
        }

        if (_next > _to)
        {
            return null;
        }

        WakeStep seen = _context.Wakeup.Current;
        IReadOnlyList<EventEnvelope> page = await ReadPageAsync().ConfigureAwait(false);
        if (page.Count > 0 || !_live)
        {
            return page.Count == 0 ? null : page;
        }

        // Live and nothing new: wait for the journal (or the refresh interval), then read once more.
        await QueryWakeup.WaitAsync(seen, _context.Settings.RefreshInterval).ConfigureAwait(false);
        return await ReadPageAsync().ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<EventEnvelope>> ReadPageAsync()
    {
        byte[] start = PersistenceKeys.Event(_pidBase, _next);
        byte[] end = PersistenceKeys.After(PersistenceKeys.Event(_pidBase, _to));
        IReadOnlyList<KeyValuePair<byte[], byte[]>> entries = await _context.Storage.ScanAsync(start, end, _context.Settings.PageSize).ConfigureAwait(false);
        var page = new List<EventEnvelope>(entries.Count);
        foreach ((byte[] key, byte[] value) in entries)
        {
            EventEnvelope envelope = _context.ToEnvelope(key, value);
            if (envelope.PersistenceId != _persistenceId || envelope.SequenceNr != PersistenceKeys.SeqOf(_pidBase, key))
            {
                throw new CorruptionException($"event record under key {PersistenceKeys.Describe(key)} names {envelope.PersistenceId}/{envelope.SequenceNr}");
            }

            page.Add(envelope);
            _next = envelope.SequenceNr + 1;
        }

        return page;
    }

    private static long ReadSeq(byte[]? value, byte[] key) =>
        value is null ? 0
        : value.Length == 8 ? (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(value)
        : throw new CorruptionException($"value under key {PersistenceKeys.Describe(key)} is not a u64 sequence number");
}

/// <summary>
/// EventsByTag / AllEvents and their current forms: pages of one index (<c>tag-base</c> or <c>all-base</c>,
/// entries ordered by ordering) from an exclusive offset. The live form also looks again, once per refresh
/// interval, at the last <c>late-entry-window</c> of orderings for entries that became visible after
/// entries with a higher ordering (their index batch was still in flight), and emits those it has not
/// emitted yet, so such an entry arrives late (its offset lower than one emitted before) rather than never.
/// Not thread-safe: one stream's unfold calls it one call at a time.
/// </summary>
internal sealed class IndexCursor
{
    private readonly QueryContext _context;
    private readonly byte[] _indexBase;
    private readonly bool _live;
    private readonly ulong _window;
    private readonly byte[] _end;
    private readonly ulong _fromOrdering;
    private readonly HashSet<(ulong Ordering, long Seq, string PersistenceId)> _recent = [];
    private byte[] _next;
    private ulong _newest;
    private bool _exhausted;
    private long _lastLookback = Stopwatch.GetTimestamp();

    /// <param name="context">Store, keys, settings.</param>
    /// <param name="indexBase">The index's base key (a tag's or the all-events one).</param>
    /// <param name="offset">NoOffset (everything) or Sequence(n) (orderings greater than n).</param>
    /// <param name="live">Whether the query goes on after the stored entries.</param>
    public IndexCursor(QueryContext context, byte[] indexBase, Offset offset, bool live)
    {
        _context = context;
        _indexBase = indexBase;
        _live = live;
        _fromOrdering = offset switch
        {
            null or NoOffset => 0,
            Sequence { Value: < 0 } => 0,
            Sequence s => (ulong)s.Value + 1,
            _ => throw new ArgumentException($"ActorLsmReadJournal takes NoOffset or Offset.Sequence, not {offset.GetType().Name}", nameof(offset)),
        };
        _next = PersistenceKeys.IndexFrom(indexBase, _fromOrdering);
        _end = PersistenceKeys.IndexEnd(indexBase);
        _window = (ulong)context.Settings.LateEntryWindow.TotalMilliseconds << 21;
    }

    /// <summary>The next page (possibly empty while live), or null when a current query has read everything.</summary>
    public async Task<IReadOnlyList<EventEnvelope>?> NextAsync()
    {
        if (_exhausted && !_live)
        {
            return null;
        }

        WakeStep seen = _context.Wakeup.Current;
        List<EventEnvelope> page = await ReadForwardAsync().ConfigureAwait(false);
        if (!_live)
        {
            return page.Count == 0 ? null : page;
        }

        if (Stopwatch.GetElapsedTime(_lastLookback) >= _context.Settings.RefreshInterval)
        {
            _lastLookback = Stopwatch.GetTimestamp();
            page.AddRange(await LookBackAsync().ConfigureAwait(false));
        }

        if (page.Count > 0 || !_exhausted)
        {
            return page;
        }

        await QueryWakeup.WaitAsync(seen, _context.Settings.RefreshInterval).ConfigureAwait(false);
        return await ReadForwardAsync().ConfigureAwait(false);
    }

    private async Task<List<EventEnvelope>> ReadForwardAsync()
    {
        IReadOnlyList<KeyValuePair<byte[], byte[]>> entries = await _context.Storage.ScanAsync(_next, _end, _context.Settings.PageSize).ConfigureAwait(false);
        _exhausted = entries.Count < _context.Settings.PageSize;
        var page = new List<EventEnvelope>(entries.Count);
        foreach ((byte[] key, byte[] value) in entries)
        {
            _next = PersistenceKeys.After(key);
            if (Emit(key, value) is { } envelope)
            {
                page.Add(envelope);
            }
        }

        Prune();
        return page;
    }

    private async Task<List<EventEnvelope>> LookBackAsync()
    {
        var late = new List<EventEnvelope>();
        if (_window == 0 || _newest == 0)
        {
            return late;
        }

        byte[] start = PersistenceKeys.IndexFrom(_indexBase, Math.Max(_fromOrdering, _newest > _window ? _newest - _window : 0));
        while (true)
        {
            IReadOnlyList<KeyValuePair<byte[], byte[]>> entries = await _context.Storage.ScanAsync(start, _next, _context.Settings.PageSize).ConfigureAwait(false);
            foreach ((byte[] key, byte[] value) in entries)
            {
                if (Emit(key, value) is { } envelope)
                {
                    late.Add(envelope);
                }
            }

            if (entries.Count < _context.Settings.PageSize)
            {
                return late;
            }

            start = PersistenceKeys.After(entries[^1].Key);
        }
    }

    /// <summary>The envelope of an entry not emitted yet (recorded as emitted while live), or null.</summary>
    private EventEnvelope? Emit(byte[] key, byte[] value)
    {
        (ulong ordering, long seq, string pid) entry;
        try
        {
            entry = PersistenceKeys.ParseIndexEntry(_indexBase, key);
        }
        catch (FormatException e)
        {
            throw new CorruptionException($"index key {PersistenceKeys.Describe(key)} is malformed: {e.Message}", e);
        }

        if (_live)
        {
            if (_newest > _window && entry.ordering < _newest - _window)
            {
                return null; // older than the window: emitted when it was in it (or missed, FORMAT.md)
            }

            if (!_recent.Add(entry))
            {
                return null;
            }

            _newest = Math.Max(_newest, entry.ordering);
        }

        EventEnvelope envelope = _context.ToEnvelope(key, value);
        return envelope.PersistenceId == entry.pid && envelope.SequenceNr == entry.seq ? envelope
            : throw new CorruptionException($"index entry {PersistenceKeys.Describe(key)} holds the record of {envelope.PersistenceId}/{envelope.SequenceNr}");
    }

    private void Prune()
    {
        if (_live && _newest > _window && _recent.Count > 0)
        {
            ulong oldest = _newest - _window;
            _recent.RemoveWhere(e => e.Ordering < oldest);
        }
    }
}

/// <summary>
/// PersistenceIds / CurrentPersistenceIds: pages of the persistence-ids index (<c>ids-base 'n' esc(P)</c>,
/// in id order). The live form then emits each id it has not emitted yet: those named by the journal's
/// <see cref="JournalWritten"/> notifications at once, and those written elsewhere by a new pass over the
/// ids index once per refresh interval. Not thread-safe: one stream's unfold calls it one call at a time.
/// </summary>
internal sealed class PersistenceIdsCursor
{
    private readonly QueryContext _context;
    private readonly bool _live;
    private readonly byte[] _start;
    private readonly byte[] _end;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private byte[] _next;
    private bool _firstPassDone;
    private WakeStep _step;
    private long _lastRescan = Stopwatch.GetTimestamp();

    public PersistenceIdsCursor(QueryContext context, bool live)
    {
        _context = context;
        _live = live;
        _start = [.. context.Keys.IdsBase, PersistenceKeys.IdsEntryKind];
        _end = [.. context.Keys.IdsBase, PersistenceKeys.IdsEntryKind + 1];
        _next = _start;
        _step = context.Wakeup.Current;
    }

    /// <summary>The next page of ids (possibly empty while live), or null when a current query is done.</summary>
    public async Task<IReadOnlyList<string>?> NextAsync()
    {
        if (!_firstPassDone)
        {
            (List<string> ids, bool more) = await ReadPageAsync().ConfigureAwait(false);
            _firstPassDone = !more;
            return ids.Count == 0 && !more && !_live ? null : ids;
        }

        if (!_live)
        {
            return null;
        }

        (IReadOnlyList<JournalWritten> written, _step) = await QueryWakeup.WaitAsync(_step, _context.Settings.RefreshInterval).ConfigureAwait(false);
        var found = new List<string>(written.SelectMany(w => w.PersistenceIds).Where(_seen.Add));
        if (Stopwatch.GetElapsedTime(_lastRescan) < _context.Settings.RefreshInterval)
        {
            return found;
        }

        // Once per refresh interval: a pass over the ids index for ids written by other processes.
        _lastRescan = Stopwatch.GetTimestamp();
        _next = _start;
        bool hasMore = true;
        while (hasMore)
        {
            (List<string> ids, hasMore) = await ReadPageAsync().ConfigureAwait(false);
            found.AddRange(ids);
        }

        return found;
    }

    private async Task<(List<string> Ids, bool More)> ReadPageAsync()
    {
        IReadOnlyList<KeyValuePair<byte[], byte[]>> entries = await _context.Storage.ScanAsync(_next, _end, _context.Settings.PageSize).ConfigureAwait(false);
        var ids = new List<string>(entries.Count);
        foreach ((byte[] key, _) in entries)
        {
            string id;
            try
            {
                id = _context.Keys.ParseIdsEntry(key);
            }
            catch (FormatException e)
            {
                throw new CorruptionException($"persistence-ids key {PersistenceKeys.Describe(key)} is malformed: {e.Message}", e);
            }

            if (_seen.Add(id))
            {
                ids.Add(id);
            }

            _next = PersistenceKeys.After(key);
        }

        return (ids, entries.Count == _context.Settings.PageSize);
    }
}
