using System.Diagnostics;
using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Sessions;

/// <summary>
/// A client's write session (src/ActorLsm.Cluster/PROTOCOL.md, R11): numbers every write from 1 and
/// tracks which numbers still wait for an outcome, so each send carries (client id, sequence, first
/// unacknowledged sequence, resend age). Thread-safe.
/// </summary>
internal sealed class WriteSequencer
{
    private readonly Lock _lock = new();
    private readonly SortedSet<ulong> _outstanding = [];
    private readonly ByteString _clientId;
    private ulong _next = 1;

    public WriteSequencer(Guid clientId)
    {
        if (clientId == Guid.Empty)
        {
            throw new ArgumentException("a client id must not be the empty Guid", nameof(clientId));
        }

        ClientId = clientId;
        var bytes = new byte[16];
        clientId.TryWriteBytes(bytes);
        _clientId = ByteString.CopyFrom(bytes);
    }

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

    /// <summary>Numbers a new write; the caller must <see cref="End"/> it once it has its outcome or gives up.</summary>
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

    /// <summary>The session fields of one send of <paramref name="ticket"/>'s write (a new message each time).</summary>
    public ClientSession ToWire(WriteTicket ticket)
    {
        ulong first;
        lock (_lock)
        {
            first = _outstanding.Count > 0 ? _outstanding.Min : _next;
        }

        return new ClientSession
        {
            ClientId = _clientId,
            Sequence = ticket.Sequence,
            FirstUnacknowledged = Math.Min(first, ticket.Sequence),
            ResendAgeMs = (ulong)Stopwatch.GetElapsedTime(ticket.StartedTimestamp).TotalMilliseconds,
        };
    }
}

/// <summary>One numbered write: its sequence and when it was first sent (Stopwatch timestamp).</summary>
internal readonly record struct WriteTicket(ulong Sequence, long StartedTimestamp);
