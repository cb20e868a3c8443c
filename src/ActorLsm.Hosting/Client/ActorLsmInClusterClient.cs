using System.Runtime.CompilerServices;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using KeyValue = ActorLsm.Messages.KeyValue;
using Akka.Actor;
using Akka.Hosting;

namespace ActorLsm.Hosting.Client;

/// <summary>
/// <see cref="IActorLsm"/> for code running in a member of the application's own actor system: each call
/// Asks the store's router (<see cref="ActorLsmRouter"/>, from Akka.Hosting's <c>ActorRegistry</c>) and
/// turns its reply into the result, or an <see cref="ActorLsmError"/> into the same exception as the TCP
/// client (<see cref="ErrorMapping"/>). Registered as <see cref="IActorLsm"/> by
/// <see cref="ActorLsmHostingExtensions.AddActorLsmClient"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Errors: <see cref="ActorLsmException"/> with the router's code (UNAVAILABLE while a shard has no leader
/// after the router's retries; TIMEOUT when no reply came within the request timeout plus 5 s);
/// <see cref="ActorLsmOverloadedException"/>; <see cref="ActorLsmNotEnoughReplicasException"/>;
/// <see cref="ArgumentException"/> for a key or value over the limits; <see cref="OperationCanceledException"/>.
/// <para>
/// Exactly-once writes (src/ActorLsm.Cluster/PROTOCOL.md, R11): the client has a write session
/// (<see cref="ClientId"/>, random unless given) and numbers every put, delete, expire and batch; a write
/// answered UNAVAILABLE (its leader changed or restarted: the outcome is unknown) is resent with the same
/// number until the timeout, and the shard leader applies it at most once. SESSION_EXPIRED is not retried.
/// </para>
/// <para>
/// Reads (gets and scan pages) are idempotent: one unanswered for a quarter of the timeout (at least 2 s), or
/// answered UNAVAILABLE, is sent again beside the attempts still waiting, and the first answer wins, until
/// the timeout.
/// </para>
/// </remarks>
public sealed class ActorLsmInClusterClient : IActorLsm
{
    /// <summary>Shortest wait for one attempt of a read before it is sent again (<see cref="ReadAsync"/>).</summary>
    private static readonly TimeSpan s_minReadAttempt = TimeSpan.FromSeconds(2);

    private readonly Func<CancellationToken, Task<IActorRef>> _router;
    private readonly TimeSpan _timeout;
    private readonly WriteSequencer _sequencer;

    /// <summary>A client of the router the registry holds under <see cref="ActorLsmRouter"/> (awaited on first use).</summary>
    /// <param name="registry">The system's actor registry.</param>
    /// <param name="timeout">How long one request waits for its reply.</param>
    /// <param name="clientId">The write session's id (R11); null draws a random one. An assigned id must not be reused by another client within the nodes' session idle timeout.</param>
    public ActorLsmInClusterClient(ActorRegistry registry, TimeSpan timeout, Guid? clientId = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _router = ct => registry.GetAsync<ActorLsmRouter>(ct);
        _timeout = timeout;
        _sequencer = new WriteSequencer(clientId ?? Guid.NewGuid());
    }

    /// <summary>A client of <paramref name="router"/>.</summary>
    /// <param name="router">The store's router.</param>
    /// <param name="timeout">How long one request waits for its reply.</param>
    /// <param name="clientId">The write session's id (R11); null draws a random one.</param>
    public ActorLsmInClusterClient(IActorRef router, TimeSpan timeout, Guid? clientId = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _router = _ => Task.FromResult(router);
        _timeout = timeout;
        _sequencer = new WriteSequencer(clientId ?? Guid.NewGuid());
    }

    /// <summary>The id of this client's write session (R11).</summary>
    public Guid ClientId => _sequencer.ClientId;

    /// <inheritdoc/>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        await WriteAsync(session => new Put(key.ToArray(), value.ToArray(), Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            PutResult r => r.Sequence,
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async Task<ulong> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default) =>
        await WriteAsync(session => new Put(key.ToArray(), value.ToArray(), ExpiresAt: expiresAt, Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            PutResult r => r.Sequence,
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        (await GetWithExpiryAsync(key, cancellationToken).ConfigureAwait(false))?.Value;

    /// <inheritdoc/>
    public async Task<StoredValue?> GetWithExpiryAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        await ReadAsync(new Messages.Get(key.ToArray()), cancellationToken).ConfigureAwait(false) switch
        {
            GetResult { Value: null } => null,
            GetResult r => new StoredValue(r.Value, r.ExpiresAt),
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async Task<bool> ExpireAsync(ReadOnlyMemory<byte> key, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default) =>
        await WriteAsync(session => new Expire(key.ToArray(), expiresAt, Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            ExpireResult r => r.Existed,
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async Task<bool> ExpireAfterAsync(ReadOnlyMemory<byte> key, TimeSpan timeToLive, CancellationToken cancellationToken = default) =>
        await WriteAsync(session => new Expire(key.ToArray(), null, (long)timeToLive.TotalMilliseconds, Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            ExpireResult r => r.Existed,
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async Task<ulong> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        await WriteAsync(session => new Delete(key.ToArray(), Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            DeleteResult r => r.Sequence,
            var other => throw Unexpected(other),
        };

    /// <inheritdoc/>
    public async IAsyncEnumerable<KeyValuePair<byte[], byte[]>> ScanAsync(
        byte[]? start = null, byte[]? end = null, int limit = 0, bool reverse = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        int left = limit;
        while (true)
        {
            IActorLsmReply reply = await ReadAsync(new Scan(start, end, left, reverse), cancellationToken).ConfigureAwait(false);
            if (reply is not ScanResult page)
            {
                throw Unexpected(reply);
            }

            foreach (KeyValue e in page.Entries)
            {
                yield return new KeyValuePair<byte[], byte[]>(e.Key, e.Value);
            }

            if (limit > 0)
            {
                left -= page.Entries.Count;
                if (left <= 0)
                {
                    yield break;
                }
            }

            if (!page.Truncated || page.Entries.Count == 0)
            {
                yield break;
            }

            byte[] last = page.Entries[^1].Key;
            if (reverse)
            {
                end = last;
            }
            else
            {
                // The smallest key after `last`: last + 0x00.
                start = [.. last, 0];
            }
        }
    }

    /// <inheritdoc/>
    public async Task<int> BatchAsync(IReadOnlyList<WriteOp> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        WriteOp[] ops = [.. operations];
        return await WriteAsync(session => new WriteBatch(ops, Session: session), cancellationToken).ConfigureAwait(false) switch
        {
            WriteBatchResult r => r.Shards,
            var other => throw Unexpected(other),
        };
    }

    /// <summary>
    /// Sends a numbered write (R11), resending it with the same number while the answer is UNAVAILABLE
    /// (the outcome is unknown; the leader applies it at most once) until the timeout.
    /// </summary>
    private async Task<IActorLsmReply> WriteAsync(Func<WriteSessionStamp, IActorLsmRequest> request, CancellationToken cancellationToken)
    {
        WriteTicket ticket = _sequencer.Begin();
        try
        {
            long deadline = Environment.TickCount64 + (long)_timeout.TotalMilliseconds;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return await AskAsync(request(_sequencer.Stamp(ticket)), cancellationToken).ConfigureAwait(false);
                }
                catch (ActorLsmException e) when (e.Code == ErrorCode.Unavailable && Environment.TickCount64 < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(UnavailablePauseMs(attempt), Math.Max(1, deadline - Environment.TickCount64))), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _sequencer.End(ticket);
        }
    }

    /// <summary>
    /// Sends a read (get or scan page) and waits for its answer until the timeout. Reads are idempotent, so it
    /// is sent again, beside the attempts still waiting, when no answer came within a quarter of the timeout
    /// (at least <see cref="s_minReadAttempt"/>): a read lost in transit during a leader change (forwarded by
    /// a member whose map was not yet the new one) then costs one interval instead of the caller's whole
    /// timeout, and a slow read is still answered. An UNAVAILABLE answer is retried the same way after a
    /// short backoff; the first other answer ends the read.
    /// </summary>
    private async Task<IActorLsmReply> ReadAsync(IActorLsmRequest request, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (long)_timeout.TotalMilliseconds;
        long interval = (long)Math.Max(_timeout.TotalMilliseconds / 4, s_minReadAttempt.TotalMilliseconds);
        var pending = new List<Task<IActorLsmReply>>(1);
        long nextSend = Environment.TickCount64;
        ActorLsmException? last = null;
        try
        {
            for (int unavailable = 0; ;)
            {
                long now = Environment.TickCount64;
                if (now >= deadline)
                {
                    throw last ?? new ActorLsmException(ErrorCode.Timeout, $"the store's router did not answer {request.GetType().Name} within {_timeout}");
                }

                if (now >= nextSend)
                {
                    pending.Add(AskAsync(request, TimeSpan.FromMilliseconds(deadline - now), cancellationToken));
                    nextSend = now + interval;
                }

                if (pending.Count == 0)
                {
                    // Pausing after UNAVAILABLE before the next attempt.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Math.Min(nextSend, deadline) - now)), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // WaitAsync drops its timer as soon as an attempt completes: nothing outlives a fast read.
                Task any = pending.Count == 1 ? pending[0] : Task.WhenAny(pending);
                await any.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1, Math.Min(nextSend, deadline) - now)), cancellationToken)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                Task<IActorLsmReply>? answered = pending.Find(static t => t.IsCompleted);
                if (answered is null)
                {
                    continue;
                }

                pending.Remove(answered);
                try
                {
                    return await answered.ConfigureAwait(false);
                }
                catch (ActorLsmException e) when (e.Code is ErrorCode.Unavailable or ErrorCode.Timeout)
                {
                    last = e;
                    if (e.Code == ErrorCode.Unavailable && pending.Count == 0)
                    {
                        nextSend = Math.Min(nextSend, Environment.TickCount64 + UnavailablePauseMs(unavailable++));
                    }
                }
            }
        }
        finally
        {
            foreach (Task<IActorLsmReply> abandoned in pending)
            {
                _ = abandoned.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Pause before resending a request answered UNAVAILABLE for the <paramref name="attempt"/>-th time: 10 ms doubling, at most 500 ms.</summary>
    private static long UnavailablePauseMs(int attempt) => Math.Min(500L, 10L << Math.Min(attempt, 6));

    private Task<IActorLsmReply> AskAsync(IActorLsmRequest request, CancellationToken cancellationToken) =>
        AskAsync(request, _timeout, cancellationToken);

    private async Task<IActorLsmReply> AskAsync(IActorLsmRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IActorRef router = await _router(cancellationToken).ConfigureAwait(false);
        IActorLsmReply reply;
        try
        {
            reply = await router.Ask<IActorLsmReply>(request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException ex)
        {
            throw new ActorLsmException(ErrorCode.Timeout, $"the store's router did not answer {request.GetType().Name} within {timeout}: {ex.Message}");
        }

        return reply is ActorLsmError error ? throw error.ToException() : reply;
    }

    private static ActorLsmException Unexpected(IActorLsmReply reply) =>
        new(ErrorCode.Internal, $"the store's router answered with an unexpected {reply.GetType().Name}");
}
