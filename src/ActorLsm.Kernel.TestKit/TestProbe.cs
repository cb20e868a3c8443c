using System.Diagnostics;
using System.Threading.Channels;

namespace ActorLsm.Kernel.Testing;

/// <summary>
/// A ref that records what it is told, for assertions (Akka.NET's <c>TestProbe</c>). It has no mailbox:
/// messages land in an unbounded queue on the sender's thread, and expectations wait on that queue
/// (a signal, not polling) up to a real-time timeout. Usable as a sender (<c>actor.Tell(m, probe)</c>),
/// as a watcher (<see cref="Watch"/>) and as a watch target. Every method is thread-safe, but expectations
/// are meant to be called from one test thread. Path: <c>/temp/testProbe-n</c> (resolvable with <c>ActorSystem.TryResolve</c>, so remote actors can reply to it).
/// </summary>
public sealed class TestProbe : IActorRef, IActorRefProxy
{
    private readonly Channel<Received> _queue = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FunctionRef _ref;
    private Received? _last;

    /// <summary>Creates a probe in <paramref name="system"/>; expectations default to <paramref name="defaultTimeout"/> (default 5 s).</summary>
    public TestProbe(ActorSystem system, TimeSpan? defaultTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        DefaultTimeout = defaultTimeout ?? TimeSpan.FromSeconds(5);
        _ref = new FunctionRef(system.NewTempPath("testProbe"), system, (message, sender) => _queue.Writer.TryWrite(new Received(message, sender)));
    }

    /// <summary>The system the probe belongs to.</summary>
    public ActorSystem System { get; }

    /// <summary>Timeout used by expectations called without one (real time).</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>The underlying kernel ref (what actors see as Sender and in <see cref="Terminated"/>).</summary>
    public IActorRef Ref => _ref;

    /// <inheritdoc/>
    public ActorPath Path => _ref.Path;

    /// <summary>Sender of the last message taken by an expectation; dead letters before any.</summary>
    public IActorRef LastSender => _last?.Sender ?? System.DeadLetters;

    /// <summary>The last message taken by an expectation, or null.</summary>
    public object? LastMessage => _last?.Message;

    /// <summary>True when a message is waiting.</summary>
    public bool HasMessages => _queue.Reader.TryPeek(out _);

    InternalActorRef IActorRefProxy.Underlying => _ref;

    /// <inheritdoc/>
    public void Tell(object message, IActorRef? sender = null) => _ref.Tell(message, sender);

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with this probe as sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, _ref);
    }

    /// <summary>Tells <paramref name="message"/> to <see cref="LastSender"/> with this probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, _ref);

    /// <summary>Forwards the last message to <paramref name="target"/>, keeping <see cref="LastSender"/> as sender.</summary>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var last = _last ?? throw new InvalidOperationException("No message received yet.");
        target.Tell(last.Message, last.Sender);
    }

    /// <summary>Watches <paramref name="target"/>: a <see cref="Terminated"/> arrives here when it stops (at once if already gone).</summary>
    public IActorRef Watch(IActorRef target)
    {
        _ref.WatchTarget(Internal(target));
        return target;
    }

    /// <summary>Stops watching <paramref name="target"/>.</summary>
    public IActorRef Unwatch(IActorRef target)
    {
        _ref.UnwatchTarget(Internal(target));
        return target;
    }

    /// <summary>
    /// Takes the next message and checks it is a <typeparamref name="T"/> satisfying <paramref name="predicate"/>.
    /// Throws <see cref="TestKitAssertionException"/> on timeout, wrong type or failed predicate.
    /// </summary>
    public async Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null, Func<T, bool>? predicate = null)
    {
        var received = await NextAsync(timeout, $"a {typeof(T).Name}").ConfigureAwait(false);
        if (received.Message is not T typed)
        {
            throw new TestKitAssertionException($"Expected a {typeof(T).Name} but got {Describe(received.Message)}.");
        }

        if (predicate is not null && !predicate(typed))
        {
            throw new TestKitAssertionException($"The {typeof(T).Name} {Describe(typed)} did not satisfy the predicate.");
        }

        return typed;
    }

    /// <summary>Takes the next message and checks it equals <paramref name="expected"/> (<see cref="object.Equals(object?)"/>).</summary>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
    {
        var received = await NextAsync(timeout, Describe(expected)).ConfigureAwait(false);
        if (received.Message is T typed && Equals(typed, expected))
        {
            return typed;
        }

        throw new TestKitAssertionException($"Expected {Describe(expected)} but got {Describe(received.Message)}.");
    }

    /// <summary>Blocking <see cref="ExpectMsgAsync{T}(TimeSpan?, Func{T, bool}?)"/>.</summary>
    public T ExpectMsg<T>(TimeSpan? timeout = null, Func<T, bool>? predicate = null) =>
        ExpectMsgAsync(timeout, predicate).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="ExpectMsgAsync{T}(T, TimeSpan?)"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull => ExpectMsgAsync(expected, timeout).GetAwaiter().GetResult();

    /// <summary>Waits <paramref name="duration"/> (real time) and throws <see cref="TestKitAssertionException"/> if any message arrives.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration)
    {
        using var cts = new CancellationTokenSource(duration);
        try
        {
            if (await _queue.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false) && _queue.Reader.TryPeek(out var unexpected))
            {
                throw new TestKitAssertionException($"Expected no message for {duration.TotalMilliseconds} ms but got {Describe(unexpected.Message)}.");
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Quiet for the whole duration: as expected.
        }
    }

    /// <summary>Blocking <see cref="ExpectNoMsgAsync"/>.</summary>
    public void ExpectNoMsg(TimeSpan duration) => ExpectNoMsgAsync(duration).GetAwaiter().GetResult();

    /// <summary>
    /// Skips messages until one is a <typeparamref name="T"/> for which <paramref name="isTarget"/> is true, and returns it.
    /// Throws <see cref="TestKitAssertionException"/> if none arrives within <paramref name="timeout"/> (for the whole search).
    /// </summary>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool> isTarget, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTarget);
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? DefaultTimeout).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            var received = await NextAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, $"a matching {typeof(T).Name}").ConfigureAwait(false);
            if (received.Message is T typed && isTarget(typed))
            {
                return typed;
            }
        }
    }

    /// <summary>Blocking <see cref="FishForMessageAsync{T}"/>.</summary>
    public T FishForMessage<T>(Func<T, bool> isTarget, TimeSpan? timeout = null) =>
        FishForMessageAsync(isTarget, timeout).GetAwaiter().GetResult();

    /// <summary>Expects the next message to be <see cref="Terminated"/> for <paramref name="target"/> (watch it first).</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null)
    {
        var expected = Internal(target);
        return ExpectMsgAsync<Terminated>(timeout, t => ReferenceEquals(t.ActorRef.AsInternal(), expected));
    }

    /// <summary>Blocking <see cref="ExpectTerminatedAsync"/>.</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) =>
        ExpectTerminatedAsync(target, timeout).GetAwaiter().GetResult();

    /// <summary>Takes the next <paramref name="count"/> messages, whatever they are, within <paramref name="timeout"/> each.</summary>
    public async Task<IReadOnlyList<object>> ReceiveNAsync(int count, TimeSpan? timeout = null)
    {
        var messages = new List<object>(count);
        for (var i = 0; i < count; i++)
        {
            messages.Add((await NextAsync(timeout, $"message {i + 1} of {count}").ConfigureAwait(false)).Message);
        }

        return messages;
    }

    /// <inheritdoc/>
    public override string ToString() => $"TestProbe[{Path}]";

    private static InternalActorRef Internal(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.AsInternal() ?? throw new ArgumentException("Only kernel refs can be watched.", nameof(target));
    }

    private static string Describe(object? message) => message is null ? "null" : $"{message.GetType().Name} {message}";

    private async Task<Received> NextAsync(TimeSpan? timeout, string what)
    {
        var wait = timeout ?? DefaultTimeout;
        if (_queue.Reader.TryRead(out var ready))
        {
            _last = ready;
            AssertInvariants();
            return ready;
        }

        using var cts = new CancellationTokenSource(wait);
        try
        {
            var received = await _queue.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            _last = received;
            AssertInvariants();
            return received;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TestKitAssertionException($"Timeout ({wait.TotalMilliseconds} ms) while waiting for {what} at {Path}.");
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_last is null || _last.Message is not null, "taken messages are never null");

    private sealed record Received(object Message, IActorRef? Sender);
}
