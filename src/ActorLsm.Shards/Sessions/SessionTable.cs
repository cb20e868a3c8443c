using System.Diagnostics;
using Akka.Actor;

namespace ActorLsm.Shards.Sessions;

/// <summary>
/// One request's session while it waits for its outcome: the session fields, and the resends of the
/// same write that arrived meanwhile and get the same answer (<see cref="Shard.PendingWrite.Reply"/>).
/// Owned by the shard actor.
/// </summary>
internal sealed class SessionWrite(WriteSession session)
{
    public WriteSession Session { get; } = session;

    /// <summary>Senders of resends of this write, answered with the original's reply.</summary>
    public List<IActorRef>? Duplicates { get; set; }

    /// <summary>Set once the original was answered (either way).</summary>
    public bool Answered { get; set; }
}

/// <summary>
/// What a shard leader knows of one client's session: the floor (lowest sequence the client still
/// waited for), the outcomes of its applied writes at or above the floor (as in the stored record, plus
/// the writes of groups being committed), and its writes not yet answered. REQUIRES: owned by the shard actor.
/// </summary>
internal sealed class ClientSessionState(Guid clientId, ulong floor, SortedDictionary<ulong, SessionOutcome> written, long? expiresAtMs)
{
    public Guid ClientId { get; } = clientId;

    public ulong Floor { get; set; } = floor;

    public SortedDictionary<ulong, SessionOutcome> Written { get; } = written;

    public Dictionary<ulong, SessionWrite> InFlight { get; } = [];

    /// <summary>When the stored record expires (Unix ms by the store's clock); null when nothing is stored.</summary>
    public long? ExpiresAtMs { get; set; } = expiresAtMs;

    /// <summary>Shard sequence of the newest record written for this session in the current leadership (0: none); a kept reply waits for the high watermark to cover it.</summary>
    public ulong RecordSequence { get; set; }

    /// <summary>The table's use counter when this session was last touched (least recently used goes first).</summary>
    public long LastUse { get; set; }

    /// <summary>Raises the floor to <paramref name="floor"/> (never lowers it) and forgets outcomes below it.</summary>
    public void RaiseFloor(ulong floor)
    {
        if (floor <= Floor)
        {
            return;
        }

        Floor = floor;
        while (Written.Count > 0 && Written.First().Key < floor)
        {
            Written.Remove(Written.First().Key);
        }
    }

    /// <summary>Drops in-flight entries already answered.</summary>
    public void ForgetAnswered()
    {
        if (InFlight.Count == 0)
        {
            return;
        }

        foreach (ulong sequence in InFlight.Where(p => p.Value.Answered).Select(p => p.Key).ToArray())
        {
            InFlight.Remove(sequence);
        }
    }

    /// <summary>Writes counted against the per-session bound: outcomes kept plus writes not yet applied.</summary>
    public int Unacknowledged => Written.Count + InFlight.Count(p => !Written.ContainsKey(p.Key));

    [Conditional("DEBUG")]
    public void AssertInvariants()
    {
        Debug.Assert(Written.Count == 0 || Written.First().Key >= Floor, "no outcome below the floor is kept");
    }
}

/// <summary>
/// A shard leader's cache of client sessions, loaded from the store on first use and valid for one
/// leadership on one open store (the shard drops it when either changes). Bounded: past
/// <paramref name="maxCached"/> sessions, the least recently used ones without writes in flight are
/// dropped (their records stay in the store). REQUIRES: owned by the shard actor.
/// </summary>
internal sealed class SessionTable(int maxCached)
{
    private readonly Dictionary<Guid, ClientSessionState> _sessions = [];
    private long _uses;

    public int Count => _sessions.Count;

    /// <summary>The owner the table is valid for (a leadership, or the store for a standalone shard).</summary>
    public object? Owner { get; set; }

    /// <summary>The cached session of <paramref name="clientId"/>, or null.</summary>
    public ClientSessionState? Find(Guid clientId)
    {
        if (_sessions.TryGetValue(clientId, out ClientSessionState? state))
        {
            state.LastUse = ++_uses;
        }

        return state;
    }

    public void Add(ClientSessionState state)
    {
        state.LastUse = ++_uses;
        _sessions[state.ClientId] = state;
        if (_sessions.Count > maxCached)
        {
            Evict();
        }
    }

    public void Remove(Guid clientId) => _sessions.Remove(clientId);

    public void Clear(object? owner)
    {
        _sessions.Clear();
        Owner = owner;
    }

    /// <summary>Drops the older half of the sessions with nothing in flight.</summary>
    private void Evict()
    {
        ClientSessionState[] idle = [.. _sessions.Values.Where(s =>
        {
            s.ForgetAnswered();
            return s.InFlight.Count == 0;
        }).OrderBy(s => s.LastUse)];
        foreach (ClientSessionState s in idle.Take(Math.Max(1, idle.Length / 2)))
        {
            _sessions.Remove(s.ClientId);
        }
    }
}
