namespace ActorLsm.Shards;

/// <summary>
/// The client session a write belongs to, for exactly-once writes (Raft's client sessions, Kafka's
/// idempotent producer): the client's id, the write's number in that client's sequence, and the lowest
/// number the client still waits for. A leader that already applied (<see cref="ClientId"/>,
/// <see cref="Sequence"/>) answers a resend with the original outcome instead of applying it again
/// (src/ActorLsm.Cluster/PROTOCOL.md, R11). A write without a session is never deduplicated.
/// </summary>
/// <param name="ClientId">The client's id: 128 random bits, or an id the application assigns; never <see cref="Guid.Empty"/>.</param>
/// <param name="Sequence">The write's number, from 1, growing by one per write of the client (every shard shares the counter); a resend repeats it.</param>
/// <param name="FirstUnacknowledged">
/// The lowest sequence of the client still without an outcome when the request was sent (at most
/// <see cref="Sequence"/>): the shard forgets the outcomes below it, and refuses a write numbered below
/// it with <see cref="SessionExpiredException"/>. 0 or 1 keeps everything.
/// </param>
/// <param name="ResendAgeMs">
/// Milliseconds since the client first sent this write (0 on the first send). A resend older than half
/// the shard's session idle timeout that finds no session state gets <see cref="SessionExpiredException"/>:
/// its outcome may have been forgotten (R11).
/// </param>
public sealed record WriteSession(Guid ClientId, ulong Sequence, ulong FirstUnacknowledged = 0, long ResendAgeMs = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the fields break the rules above.</summary>
    public void Validate()
    {
        if (ClientId == Guid.Empty)
        {
            throw new ArgumentException("a write session needs a client id other than the empty one", nameof(ClientId));
        }

        if (Sequence == 0)
        {
            throw new ArgumentException("a write session's sequence starts at 1", nameof(Sequence));
        }

        if (FirstUnacknowledged > Sequence)
        {
            throw new ArgumentException($"a write session's first unacknowledged sequence {FirstUnacknowledged} is above the write's {Sequence}", nameof(FirstUnacknowledged));
        }

        if (ResendAgeMs < 0)
        {
            throw new ArgumentException("a write session's resend age is negative", nameof(ResendAgeMs));
        }
    }
}

/// <summary>
/// A write of a client session could not be deduplicated: it is numbered below the lowest sequence the
/// client still waited for, or it is a resend older than half the session idle timeout and the shard
/// holds no state of its session (expired or never written). Nothing was written by this request; an
/// earlier send of the same write may or may not have been applied. Never retried automatically.
/// </summary>
public sealed class SessionExpiredException : Exception
{
    public SessionExpiredException()
    {
    }

    public SessionExpiredException(string message)
        : base(message)
    {
    }

    public SessionExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
