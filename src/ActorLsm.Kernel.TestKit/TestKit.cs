namespace ActorLsm.Kernel.Testing;

/// <summary>
/// Base class (or helper object) for actor tests, after Akka.NET's <c>TestKit</c>: owns an
/// <see cref="ActorSystem"/>, a default probe <see cref="TestActor"/> with shortcuts to its expectations,
/// and optionally a <see cref="VirtualTimeScheduler"/>. Dispose terminates the system (xunit disposes test
/// classes after each test). Failed expectations throw <see cref="TestKitAssertionException"/>.
/// </summary>
public class TestKit : IAsyncDisposable, IDisposable
{
    private static long s_systems;
    private bool _disposed;

    /// <summary>
    /// Creates the system. <paramref name="virtualTime"/>: true replaces the options' scheduler with a fresh
    /// <see cref="VirtualTimeScheduler"/> (exposed as <see cref="VirtualTime"/>). <paramref name="defaultTimeout"/>:
    /// real-time limit of expectations, default 5 s.
    /// </summary>
    public TestKit(ActorSystemOptions? options = null, bool virtualTime = false, TimeSpan? defaultTimeout = null)
    {
        options ??= new ActorSystemOptions();
        if (virtualTime)
        {
            VirtualTime = new VirtualTimeScheduler();
            options = options with { Scheduler = VirtualTime };
        }

        DefaultTimeout = defaultTimeout ?? TimeSpan.FromSeconds(5);
        Sys = ActorSystem.Create("test-" + Interlocked.Increment(ref s_systems).ToString(System.Globalization.CultureInfo.InvariantCulture), options);
        TestActor = CreateTestProbe();
    }

    /// <summary>The system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The virtual scheduler when constructed with <c>virtualTime: true</c>, else null.</summary>
    public VirtualTimeScheduler? VirtualTime { get; }

    /// <summary>The default probe; the shortcuts below act on it.</summary>
    public TestProbe TestActor { get; }

    /// <summary>Real-time limit of expectations called without a timeout.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Sender of the last message <see cref="TestActor"/> took.</summary>
    public IActorRef LastSender => TestActor.LastSender;

    /// <summary>A fresh probe in <see cref="Sys"/>.</summary>
    public TestProbe CreateTestProbe() => new(Sys, DefaultTimeout);

    /// <summary>Shortcut for <c>Sys.ActorOf</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    /// <summary>See <see cref="TestProbe.ExpectMsgAsync{T}(TimeSpan?, Func{T, bool}?)"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null, Func<T, bool>? predicate = null) => TestActor.ExpectMsgAsync(timeout, predicate);

    /// <summary>See <see cref="TestProbe.ExpectMsgAsync{T}(T, TimeSpan?)"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
        where T : notnull => TestActor.ExpectMsgAsync(expected, timeout);

    /// <summary>See <see cref="TestProbe.ExpectMsg{T}(TimeSpan?, Func{T, bool}?)"/>.</summary>
    public T ExpectMsg<T>(TimeSpan? timeout = null, Func<T, bool>? predicate = null) => TestActor.ExpectMsg(timeout, predicate);

    /// <summary>See <see cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull => TestActor.ExpectMsg(expected, timeout);

    /// <summary>See <see cref="TestProbe.ExpectNoMsgAsync"/>.</summary>
    public Task ExpectNoMsgAsync(TimeSpan duration) => TestActor.ExpectNoMsgAsync(duration);

    /// <summary>See <see cref="TestProbe.ExpectNoMsg"/>.</summary>
    public void ExpectNoMsg(TimeSpan duration) => TestActor.ExpectNoMsg(duration);

    /// <summary>See <see cref="TestProbe.FishForMessageAsync{T}"/>.</summary>
    public Task<T> FishForMessageAsync<T>(Func<T, bool> isTarget, TimeSpan? timeout = null) => TestActor.FishForMessageAsync(isTarget, timeout);

    /// <summary>See <see cref="TestProbe.Watch"/>.</summary>
    public IActorRef Watch(IActorRef target) => TestActor.Watch(target);

    /// <summary>See <see cref="TestProbe.ExpectTerminatedAsync"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null) => TestActor.ExpectTerminatedAsync(target, timeout);

    /// <summary>See <see cref="TestProbe.Reply"/>.</summary>
    public void Reply(object message) => TestActor.Reply(message);

    /// <summary>Terminates the system; throws <see cref="TimeoutException"/> if it takes over 10 s (an actor is stuck).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Blocking <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            Sys.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }
}
