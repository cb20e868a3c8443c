using System.Diagnostics;
using MessagePack;

namespace ActorLsm.Messages;

/// <summary>
/// The session fields of one send of a write (src/ActorLsm.Cluster/PROTOCOL.md, R11; the TCP protocol's
/// <c>ClientSession</c>): the leaders apply a write at most once per (<paramref name="ClientId"/>, <paramref name="Sequence"/>).
/// </summary>
/// <param name="ClientId">The client's id (never <see cref="Guid.Empty"/>).</param>
/// <param name="Sequence">The write's number in the client's sequence, from 1; a resend repeats it.</param>
/// <param name="FirstUnacknowledged">Lowest sequence the client still waits for (at most <paramref name="Sequence"/>).</param>
/// <param name="ResendAgeMs">Milliseconds since the write's first send (0 on the first send).</param>
[MessagePackObject]
public sealed record WriteSessionStamp(
    [property: Key(0)] Guid ClientId,
    [property: Key(1)] ulong Sequence,
    [property: Key(2)] ulong FirstUnacknowledged,
    [property: Key(3)] long ResendAgeMs);

/// <summary>
/// A client's write session (R11): numbers every write from 1 and tracks which numbers still wait for an
/// outcome, so that each send carries (client id, sequence, first unacknowledged sequence, resend age).
/// Both clients (TCP and in-cluster) use it. Thread-safe.
/// </summary>
public sealed class WriteSequencer
{
    private readonly Lock _lock = new();
    private readonly SortedSet<ulong> _outstanding = [];
    private ulong _next = 1;

    /// <summary>A session with <paramref name="clientId"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is <see cref="Guid.Empty"/>.</exception>
    public WriteSequencer(Guid clientId)
    {
        if (clientId == Guid.Empty)
        {
            throw new ArgumentException("a client id must not be the empty Guid", nameof(clientId));
        }

        ClientId = clientId;
    }

    /// <summary>The session's client id.</summary>
    public Guid ClientId { get; }

    /// <summary>Writes numbered and not yet ended.</summary>
    public int Outstanding
    {
        get
        {
            lock (_lock)
            {
                return _outstanding.Count;
            }
        }
    }

    /// <summary>Numbers a new write; the caller must <see cref="End"/> it once it has its outcome or gives up on it.</summary>
    public WriteTicket Begin()
    {
        lock (_lock)
        {
            ulong sequence = _next++;
            _outstanding.Add(sequence);
            return new WriteTicket(sequence, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The write has its outcome (or the caller gave up on it): later sends let the shards forget it.</summary>
    public void End(WriteTicket ticket)
    {
        lock (_lock)
        {
            _outstanding.Remove(ticket.Sequence);
        }
    }

    /// <summary>The session fields of one send of <paramref name="ticket"/>'s write, as of now.</summary>
    public WriteSessionStamp Stamp(WriteTicket ticket)
    {
        ulong first;
        lock (_lock)
        {
            first = _outstanding.Count > 0 ? _outstanding.Min : _next;
        }

        return new WriteSessionStamp(ClientId, ticket.Sequence, Math.Min(first, ticket.Sequence), (long)Stopwatch.GetElapsedTime(ticket.StartedTimestamp).TotalMilliseconds);
    }
}

/// <summary>One numbered write of a <see cref="WriteSequencer"/>: its sequence and when it was numbered (a Stopwatch timestamp, at or before its first send, so resend ages err on the old side).</summary>
/// <param name="Sequence">The write's number.</param>
/// <param name="StartedTimestamp">Stopwatch.GetTimestamp() at its first send.</param>
public readonly record struct WriteTicket(ulong Sequence, long StartedTimestamp);
