using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel;

/// <summary>Failure, supervision decisions and restart (with backoff).</summary>
internal sealed partial class ActorCell
{
    // Actor thread only.
    private Dictionary<ActorCell, ChildRestartStats>? _restartStats;
    private HashSet<ActorCell>? _escalatedChildren;
    private Exception? _failureCause;
    private object? _failedMessage;
    private bool _backoffPending;
    private int _backoffGeneration;
    private ICancelable? _backoffTimer;

    /// <summary>Suspends this actor and asks the parent for a directive.</summary>
    // REQUIRES: on this actor's thread.
    private void Fail(Exception cause, object? message)
    {
        if (_state is not (CellState.Running or CellState.Creating))
        {
            System.Log.LogError(cause, "{Path} failed while {State}; the failure is ignored", Path, _state);
            return;
        }

        _state = CellState.Suspended;
        _failureCause = cause;
        _failedMessage = message;
        if (_parent is null)
        {
            System.Log.LogCritical(cause, "The root guardian failed; stopping the actor system");
            BeginTerminate();
            return;
        }

        _parent.SendSystem(new Failed(this, cause));
    }

    // REQUIRES: on this actor's thread.
    private void HandleChildFailed(Failed failed)
    {
        var child = failed.Child;
        if (ChildCell(child.Path.Name) != child || child.IsTerminated || _state is CellState.Terminating)
        {
            return; // Stale report, or the child is being stopped anyway.
        }

        var strategy = CurrentStrategy();
        Directive directive;
        try
        {
            directive = strategy.Decide(failed.Cause);
        }
#pragma warning disable CA1031 // A throwing decider stops the child rather than the supervisor.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            System.Log.LogError(ex, "Supervisor decider of {Path} threw; stopping {Child}", Path, child.Path);
            directive = Directive.Stop;
        }

        switch (directive)
        {
            case Directive.Resume:
                System.Log.LogWarning(failed.Cause, "{Child} failed; resuming", child.Path);
                child.SendSystem(new Resume(failed.Cause));
                break;
            case Directive.Restart:
                RestartChild(child, failed.Cause, strategy);
                break;
            case Directive.Escalate:
                System.Log.LogWarning(failed.Cause, "{Child} failed; escalating to the supervisor of {Path}", child.Path, Path);
                (_escalatedChildren ??= []).Add(child);
                Fail(failed.Cause, _currentMessage);
                break;
            default:
                System.Log.LogError(failed.Cause, "{Child} failed; stopping it", child.Path);
                StopChild(child);
                break;
        }
    }

    // REQUIRES: on this actor's thread; child is a live child of this cell.
    private void RestartChild(ActorCell child, Exception cause, SupervisorStrategy strategy)
    {
        _restartStats ??= [];
        if (!_restartStats.TryGetValue(child, out var stats))
        {
            stats = new ChildRestartStats();
            _restartStats[child] = stats;
        }

        if (!stats.RequestRestartPermission(System.Scheduler.Elapsed, strategy.MaxNrOfRetries, strategy.WithinTimeRange))
        {
            System.Log.LogError(
                cause,
                "{Child} failed; restart limit of {MaxRetries} within {Window} reached, stopping it",
                child.Path,
                strategy.MaxNrOfRetries,
                strategy.WithinTimeRange);
            StopChild(child);
            return;
        }

        var backoff = strategy.BackoffFor(stats.RestartCount);
        System.Log.LogError(
            cause,
            "{Child} failed; restarting (restart {Count}, backoff {BackoffMs} ms)",
            child.Path,
            stats.RestartCount,
            backoff.TotalMilliseconds);
        child.SendSystem(new Recreate(cause, backoff));
    }

    // REQUIRES: on this actor's thread.
    private SupervisorStrategy CurrentStrategy()
    {
        SupervisorStrategy? fromActor = null;
        if (_actor is not null)
        {
            try
            {
                fromActor = _actor.InvokeSupervisorStrategy();
            }
#pragma warning disable CA1031 // A throwing override falls back to the defaults.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                System.Log.LogError(ex, "SupervisorStrategy() of {Path} threw; using the default", Path);
            }
        }

        return fromActor ?? Props.SupervisorStrategy ?? System.Options.DefaultSupervisorStrategy;
    }

    // REQUIRES: on this actor's thread.
    private void HandleResume(Resume resume)
    {
        if (_state != CellState.Suspended)
        {
            return;
        }

        if (_actor is null)
        {
            // Failed before an instance existed: nothing to resume, make one.
            HandleRecreate(new Recreate(resume.Cause, TimeSpan.Zero));
            return;
        }

        _state = CellState.Running;
        _failureCause = null;
        _failedMessage = null;
        foreach (var child in TakeEscalatedChildren())
        {
            child.SendSystem(new Resume(resume.Cause));
        }
    }

    /// <summary>Retires the failed instance now; the new one comes after the backoff and after stopping children are gone.</summary>
    // REQUIRES: on this actor's thread.
    private void HandleRecreate(Recreate recreate)
    {
        if (_state != CellState.Suspended)
        {
            return;
        }

        _state = CellState.Restarting;
        _failureCause = recreate.Cause;
        _timers.CancelAll();
        var old = _actor;
        if (old is not null)
        {
            try
            {
                old.InvokePreRestart(recreate.Cause, _failedMessage);
            }
#pragma warning disable CA1031 // PreRestart failures are logged only.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                System.Log.LogError(ex, "PreRestart of {Path} failed", Path);
            }
        }

        _actor = null;
        _behaviors.Clear();
        _failedMessage = null;
        if (recreate.Backoff > TimeSpan.Zero)
        {
            _backoffPending = true;
            var generation = ++_backoffGeneration;
            _backoffTimer = System.Scheduler.ScheduleOnce(recreate.Backoff, () => SendSystem(new BackoffElapsed(generation)));
        }

        TryFinishRestart();
    }

    // REQUIRES: on this actor's thread.
    private void HandleBackoffElapsed(BackoffElapsed backoff)
    {
        if (_state == CellState.Restarting && _backoffPending && backoff.Generation == _backoffGeneration)
        {
            _backoffPending = false;
            _backoffTimer = null;
            TryFinishRestart();
        }
    }

    // REQUIRES: on this actor's thread.
    private void CancelBackoff()
    {
        _backoffTimer?.Cancel();
        _backoffTimer = null;
        _backoffPending = false;
    }

    /// <summary>Creates the new instance once the backoff elapsed and children stopped in PreRestart are gone.</summary>
    // REQUIRES: on this actor's thread.
    private void TryFinishRestart()
    {
        if (_state != CellState.Restarting || _backoffPending || _stoppingChildren?.Count > 0)
        {
            return;
        }

        var cause = _failureCause!;
        _state = CellState.Creating;
        try
        {
            _actor = NewInstance();
            _state = CellState.Running;
            _actor.InvokePostRestart(cause);
        }
#pragma warning disable CA1031 // Creation failures are supervised.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (_state == CellState.Running)
            {
                _state = CellState.Creating;
            }

            Fail(new ActorInitializationException($"{Path}: restart failed: {ex.Message}", ex), null);
            return;
        }

        _failureCause = null;
        foreach (var child in TakeEscalatedChildren())
        {
            child.SendSystem(new Recreate(cause, TimeSpan.Zero));
        }
    }

    // REQUIRES: on this actor's thread.
    private List<ActorCell> TakeEscalatedChildren()
    {
        var children = _escalatedChildren is null ? [] : _escalatedChildren.Where(c => !c.IsTerminated).ToList();
        _escalatedChildren = null;
        return children;
    }
}
