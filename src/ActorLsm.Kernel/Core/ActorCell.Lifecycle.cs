using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel;

/// <summary>System message handling: creation, stopping, death watch.</summary>
internal sealed partial class ActorCell
{
    // Actor thread only.
    private HashSet<InternalActorRef>? _watching;
    private HashSet<InternalActorRef>? _watchedBy;
    private HashSet<ActorCell>? _stoppingChildren;
    private List<DeathWatchNotification>? _deferred;

    // REQUIRES: on this actor's thread.
    private void ProcessSystemMessages()
    {
        while (!_awaitingTask)
        {
            if (_state == CellState.Running && _deferred is { Count: > 0 } deferred)
            {
                var next = deferred[0];
                deferred.RemoveAt(0);
                HandleDeathWatchNotification(next);
                continue;
            }

            if (!_mailbox.TryDequeueSystem(out var message))
            {
                return;
            }

            if (_state == CellState.Terminated)
            {
                HandleAfterTermination(message!);
            }
            else
            {
                HandleSystem(message!);
            }

            AssertInvariants();
        }
    }

    // REQUIRES: on this actor's thread; state is not Terminated.
    private void HandleSystem(SystemMessage message)
    {
        switch (message)
        {
            case Create:
                HandleCreate();
                break;
            case Terminate:
                BeginTerminate();
                break;
            case Resume resume:
                HandleResume(resume);
                break;
            case Recreate recreate:
                HandleRecreate(recreate);
                break;
            case Failed failed:
                HandleChildFailed(failed);
                break;
            case ChildTerminated childTerminated:
                HandleChildTerminated(childTerminated.Child);
                break;
            case Watch watch:
                (_watchedBy ??= []).Add(watch.Watcher);
                break;
            case Unwatch unwatch:
                _watchedBy?.Remove(unwatch.Watcher);
                break;
            case DeathWatchNotification notification:
                HandleDeathWatchNotification(notification);
                break;
            case BackoffElapsed backoff:
                HandleBackoffElapsed(backoff);
                break;
            default:
                throw new InvalidOperationException($"Unknown system message {message.GetType().Name}.");
        }
    }

    // REQUIRES: on this actor's thread; state Terminated.
    private void HandleAfterTermination(SystemMessage message)
    {
        if (message is Watch watch)
        {
            watch.Watcher.SendSystem(new DeathWatchNotification(Self));
        }

        // Everything else is moot for a stopped actor.
    }

    // REQUIRES: on this actor's thread; state Creating (first message of the cell).
    private void HandleCreate()
    {
        if (_state != CellState.Creating)
        {
            return;
        }

        try
        {
            _actor = NewInstance();
            _state = CellState.Running;
            _actor.InvokePreStart();
        }
#pragma warning disable CA1031 // Creation failures are supervised.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _state = CellState.Creating;
            Fail(new ActorInitializationException($"{Path}: creation failed: {ex.Message}", ex), null);
        }
    }

    /// <summary>Starts stopping: timers off, children asked to stop; finishes when they all have.</summary>
    // REQUIRES: on this actor's thread.
    private void BeginTerminate()
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }

        _state = CellState.Terminating;
        Interlocked.Exchange(ref _terminatingFlag, 1);
        CancelBackoff();
        _timers.CancelAll();
        foreach (var child in _children.Values)
        {
            StopChild(child);
        }

        if (_children.IsEmpty)
        {
            FinishTerminate();
        }
    }

    // REQUIRES: on this actor's thread; state Terminating; no children left.
    private void FinishTerminate()
    {
        var actor = _actor;
        _actor = null;
        _behaviors.Clear();
        if (actor is not null)
        {
            try
            {
                actor.InvokePostStop();
            }
#pragma warning disable CA1031 // PostStop failures are logged only.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                System.Log.LogError(ex, "PostStop of {Path} failed", Path);
            }
        }

        _state = CellState.Terminated;
        _isTerminated = true;
        DrainToDeadLetters(); // Before anyone hears of the termination, so the count is final by then.
        foreach (var watcher in _watchedBy ?? [])
        {
            watcher.SendSystem(new DeathWatchNotification(Self));
        }

        foreach (var watchee in _watching ?? [])
        {
            watchee.SendSystem(new Unwatch(watchee, Self));
        }

        _watchedBy = null;
        _watching = null;
        _deferred = null;
        System.EventStream.Unsubscribe(Self);
        if (_parent is not null)
        {
            _parent.SendSystem(new ChildTerminated(this));
        }
        else
        {
            System.OnRootTerminated();
        }
    }

    // REQUIRES: on this actor's thread; child is (or was) a child of this cell.
    private void StopChild(ActorCell child)
    {
        if (!child.IsTerminated)
        {
            (_stoppingChildren ??= []).Add(child);
        }

        child.SendSystem(Terminate.Instance);
    }

    // REQUIRES: on this actor's thread.
    private void HandleChildTerminated(ActorCell child)
    {
        _children.TryRemove(new KeyValuePair<string, ActorCell>(child.Path.Name, child));
        _stoppingChildren?.Remove(child);
        _restartStats?.Remove(child);
        _escalatedChildren?.Remove(child);
        if (_state == CellState.Terminating && _children.IsEmpty)
        {
            FinishTerminate();
        }
        else if (_state == CellState.Restarting)
        {
            TryFinishRestart();
        }
    }

    public IActorRef Watch(IActorRef subject)
    {
        var target = subject.AsInternal() ?? throw new ArgumentException("Only kernel refs can be watched.", nameof(subject));
        if (!ReferenceEquals(target, Self) && (_watching ??= []).Add(target))
        {
            target.SendSystem(new Watch(target, Self));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        var target = subject.AsInternal() ?? throw new ArgumentException("Only kernel refs can be watched.", nameof(subject));
        if (_watching?.Remove(target) == true)
        {
            target.SendSystem(new Unwatch(target, Self));
        }

        return subject;
    }

    /// <summary>Turns a notification into a <see cref="Terminated"/> message when the actor can take it.</summary>
    // REQUIRES: on this actor's thread; state is not Terminated.
    private void HandleDeathWatchNotification(DeathWatchNotification notification)
    {
        if (_state == CellState.Terminating)
        {
            return;
        }

        if (_state != CellState.Running || _awaitingTask)
        {
            (_deferred ??= []).Add(notification);
            return;
        }

        if (_watching?.Remove(notification.Actor) == true)
        {
            InvokeBehavior(new Terminated(notification.Actor), notification.Actor);
        }
    }
}
