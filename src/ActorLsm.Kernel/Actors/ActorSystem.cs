using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorLsm.Kernel;

/// <summary>
/// A tree of actors sharing a scheduler, an event stream and dead letters (Akka.NET's <c>ActorSystem</c>).
/// Top-level actors live under <c>/user</c> and are supervised by its guardian with
/// <see cref="ActorSystemOptions.DefaultSupervisorStrategy"/>; an actor's exception never escapes to the
/// process. All members are thread-safe.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable, IDisposable
{
    private static readonly ActorPath s_tempPath = ActorPath.Root / "temp";
    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<ActorPath, InternalActorRef> _tempRefs = new();
    private long _deadLetterCount;
    private long _tempCounter;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        Scheduler = options.Scheduler ?? new TimeProviderScheduler();
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        Log = LoggerFactory.CreateLogger("ActorLsm.Kernel.ActorSystem");
        EventStream = new EventStream();
        DeadLetters = new DeadLetterActorRef(this);
        _root = new ActorCell(this, Props.Create(static () => new RootGuardian()), null, ActorPath.Root);
        var guardianProps = Props.Create(static () => new Guardian()).WithMailbox(Props.UnboundedMailbox);
        _userGuardian = Cell(_root.CreateChild(guardianProps, "user", allowReservedName: false));
        _systemGuardian = Cell(_root.CreateChild(guardianProps, "system", allowReservedName: false));
        _root.Start();
    }

    /// <summary>The name given at creation (for logs).</summary>
    public string Name { get; }

    /// <summary>The settings in force.</summary>
    public ActorSystemOptions Options { get; }

    /// <summary>The system's scheduler and clock (from options, or the real one).</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The logger factory from options, or a null factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Publish/subscribe bus; <see cref="DeadLetter"/>s are published here.</summary>
    public EventStream EventStream { get; }

    /// <summary>The <c>/deadLetters</c> ref: anything told to it becomes a <see cref="DeadLetter"/>.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Number of dead letters so far (undeliverable, dropped on overflow, or unhandled).</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetterCount);

    /// <summary>Completes when every actor has stopped, after <see cref="Terminate"/> or after <c>/user</c> stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal ILogger Log { get; }

    /// <summary>
    /// Creates a system. <paramref name="name"/>: non-empty, for logs. Throws <see cref="ArgumentException"/>
    /// for an empty name and <see cref="ArgumentOutOfRangeException"/> for invalid options.
    /// </summary>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        options ??= new ActorSystemOptions();
        options.Validate();
        return new ActorSystem(name, options);
    }

    /// <summary>
    /// Creates a top-level actor at <c>/user/{name}</c> (null: generated <c>$..</c> name) and returns its ref at once.
    /// Throws <see cref="InvalidActorNameException"/> for an invalid or taken name, <see cref="InvalidOperationException"/> after termination began.
    /// </summary>
    public IActorRef ActorOf(Props props, string? name = null) => _userGuardian.CreateChild(props, name, allowReservedName: false);

    /// <summary>Like <see cref="ActorOf"/> but under <c>/system</c>, for infrastructure actors.</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.CreateChild(props, name, allowReservedName: false);

    /// <summary>Asynchronously stops <paramref name="actor"/> (after its current message); its children stop first.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.AsInternal()?.SendSystem(Kernel.Terminate.Instance);
    }

    /// <summary>Stops all actors (children before parents) and returns <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        _root.SendSystem(Kernel.Terminate.Instance);
        return WhenTerminated;
    }

    /// <summary>
    /// Finds the live actor at <paramref name="path"/> (e.g. <c>/user/shards/shard-07</c>); false if none.
    /// Live temporary refs (<c>/temp/ask-n</c> of a pending Ask, <c>/temp/testProbe-n</c>) resolve too, so a
    /// reply that crossed the network (remoting) finds its Ask.
    /// </summary>
    public bool TryResolve(ActorPath path, [NotNullWhen(true)] out IActorRef? actor)
    {
        ArgumentNullException.ThrowIfNull(path);
        actor = null;
        if (path.Depth == 1 && path.Name == "deadLetters")
        {
            actor = DeadLetters;
            return true;
        }

        if (path.Depth == 2 && path.Parent == s_tempPath)
        {
            if (_tempRefs.TryGetValue(path, out var temp) && !temp.IsTerminated)
            {
                actor = temp;
                return true;
            }

            return false;
        }

        var cell = _root;
        foreach (var element in path.Elements)
        {
            var child = cell.ChildCell(element);
            if (child is null)
            {
                return false;
            }

            cell = child;
        }

        if (cell.IsTerminated)
        {
            return false;
        }

        actor = cell.Self;
        return true;
    }

    /// <summary>Parses <paramref name="path"/> and resolves it; false for unparsable or unknown paths.</summary>
    public bool TryResolve(string path, [NotNullWhen(true)] out IActorRef? actor)
    {
        actor = null;
        return ActorPath.TryParse(path, out var parsed) && TryResolve(parsed, out actor);
    }

    /// <summary>
    /// Resolves a path to a live actor (Akka.NET's <c>ActorSelection(path).ResolveOne()</c>).
    /// Faults with <see cref="ActorNotFoundException"/> when none lives there, <see cref="FormatException"/> for a bad path.
    /// </summary>
    public Task<IActorRef> ResolveAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ResolveAsync(ActorPath.Parse(path), cancellationToken);
    }

    /// <summary>As <see cref="ResolveAsync(string, CancellationToken)"/> for a parsed path.</summary>
    public Task<IActorRef> ResolveAsync(ActorPath path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return TryResolve(path, out var actor)
            ? Task.FromResult(actor)
            : Task.FromException<IActorRef>(new ActorNotFoundException($"No live actor at {path}."));
    }

    /// <summary>Terminates the system and waits for it.</summary>
    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    /// <summary>Terminates the system and waits up to 10 s for it.</summary>
    public void Dispose() => Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <inheritdoc/>
    public override string ToString() => $"ActorSystem[{Name}]";

    // REQUIRES: any thread.
    internal void PublishDeadLetter(DeadLetter deadLetter)
    {
        if (deadLetter.Message is DeadLetter)
        {
            return; // A dead letter that cannot be delivered to a subscriber is not reported again.
        }

        Interlocked.Increment(ref _deadLetterCount);
        AssertInvariants();
        EventStream.Publish(deadLetter);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Interlocked.Read(ref _deadLetterCount) >= 0, "the dead-letter count only grows");
        Debug.Assert(_userGuardian.Path.ToString() == "/user" && _systemGuardian.Path.ToString() == "/system", "guardians sit at /user and /system");
    }

    // REQUIRES: called once by the root cell when it has stopped.
    internal void OnRootTerminated() => _terminated.TrySetResult();

    // REQUIRES: temp.Path was made by NewTempPath of this system; any thread.
    internal void RegisterTemp(InternalActorRef temp) => _tempRefs[temp.Path] = temp;

    // REQUIRES: any thread; a no-op for an unknown ref.
    internal void UnregisterTemp(InternalActorRef temp) => _tempRefs.TryRemove(new KeyValuePair<ActorPath, InternalActorRef>(temp.Path, temp));

    /// <summary>A fresh <c>/temp/{prefix}-n</c> path for mailbox-less refs (Ask replies, probes).</summary>
    internal ActorPath NewTempPath(string prefix) =>
        s_tempPath / (prefix + "-" + Interlocked.Increment(ref _tempCounter).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static ActorCell Cell(IActorRef actor) => ((LocalActorRef)actor).Cell;
}
