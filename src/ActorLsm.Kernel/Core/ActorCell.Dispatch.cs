using Microsoft.Extensions.Logging;

namespace ActorLsm.Kernel;

/// <summary>The processing loop: one run at a time on the thread pool, system messages first.</summary>
internal sealed partial class ActorCell : IThreadPoolWorkItem
{
    // Actor thread only, except _completedTask which the task continuation writes.
    private Task? _pendingTask;
    private bool _awaitingTask;
    private bool _runTaskAllowed;
    private Task? _completedTask;

    /// <summary>Makes sure a run is queued (no-op if one is queued or running).</summary>
    // REQUIRES: any thread; call after enqueueing work.
    private void Schedule()
    {
        if (_mailbox.TrySetScheduled())
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>One run: processes up to <c>Throughput</c> user messages, then yields the thread.</summary>
    public void Execute()
    {
        try
        {
            Run();
        }
#pragma warning disable CA1031 // The loop itself must never crash the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            System.Log.LogCritical(ex, "Kernel fault while running {Path}", Path);
        }
        finally
        {
            _mailbox.SetIdle();
            if (HasWork())
            {
                Schedule();
            }
        }
    }

    // REQUIRES: on this actor's thread, after SetIdle (full fence) so concurrent enqueues are visible.
    private bool HasWork()
    {
        if (Volatile.Read(ref _completedTask) is not null)
        {
            return true;
        }

        if (_awaitingTask)
        {
            return false;
        }

        if (_mailbox.HasSystemMessages)
        {
            return true;
        }

        return _state switch
        {
            CellState.Running => _mailbox.HasUserMessages || (_deferred?.Count > 0),
            CellState.Terminated => _mailbox.HasUserMessages,
            _ => false,
        };
    }

    // REQUIRES: on this actor's thread (inside Execute).
    private void Run()
    {
        if (Interlocked.Exchange(ref _completedTask, null) is { } done)
        {
            _awaitingTask = false;
            OnTaskCompleted(done);
        }

        if (_awaitingTask)
        {
            return;
        }

        for (var processed = 0; ; processed++)
        {
            ProcessSystemMessages();
            if (_awaitingTask)
            {
                return;
            }

            if (_state == CellState.Terminated)
            {
                DrainToDeadLetters();
                return;
            }

            if (_state != CellState.Running || processed >= _throughput || !_mailbox.TryDequeueUser(out var envelope))
            {
                return;
            }

            InvokeUser(envelope);
            AssertInvariants();
            if (_awaitingTask)
            {
                return;
            }
        }
    }

    // REQUIRES: on this actor's thread, state Running, not awaiting a task.
    private void InvokeUser(Envelope envelope)
    {
        var message = envelope.Message;
        var sender = envelope.Sender;
        if (message is TimerFired fired)
        {
            if (!_timers.TryAccept(fired, out var inner))
            {
                return;
            }

            message = inner!;
            sender = null;
        }

        switch (message)
        {
            case PoisonPill:
                BeginTerminate();
                return;
            case Kill:
                _currentMessage = message;
                _currentSender = sender;
                Fail(new ActorKilledException($"{Path} received Kill."), message);
                return;
            default:
                InvokeBehavior(message, sender);
                return;
        }
    }

    /// <summary>Runs the current behavior on one message; failures go to supervision.</summary>
    // REQUIRES: on this actor's thread, state Running, not awaiting a task.
    private void InvokeBehavior(object message, IActorRef? sender)
    {
        _currentMessage = message;
        _currentSender = sender;
        var actor = _actor!;
        _runTaskAllowed = true;
        try
        {
            var handled = _behaviors.Count > 0 ? _behaviors[^1](message) : actor.InvokeReceive(message);
            if (!handled)
            {
                actor.InvokeUnhandled(message);
            }
        }
#pragma warning disable CA1031 // Actor exceptions are supervised, never rethrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _runTaskAllowed = false;
            ObserveAndForget(_pendingTask);
            _pendingTask = null;
            Fail(ex, message);
            return;
        }
        finally
        {
            _runTaskAllowed = false;
        }

        if (_pendingTask is { } task)
        {
            _pendingTask = null;
            _awaitingTask = true;
            task.ContinueWith(
                static (t, state) => ((ActorCell)state!).OnTaskDone(t),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Starts an async step of the current message (see ActorBase.RunTask).</summary>
    // REQUIRES: on this actor's thread, inside a message handler.
    public void RunTask(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!_runTaskAllowed)
        {
            throw new InvalidOperationException("RunTask/ReceiveAsync may only run while handling a message.");
        }

        if (_pendingTask is not null)
        {
            throw new InvalidOperationException("Only one async step (RunTask/ReceiveAsync) per message.");
        }

        var task = action() ?? throw new InvalidOperationException("The async handler returned a null Task.");
        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult(); // Rethrows a synchronous fault into the handler.
            return;
        }

        _pendingTask = task;
    }

    // REQUIRES: any thread (task continuation).
    private void OnTaskDone(Task task)
    {
        Volatile.Write(ref _completedTask, task);
        Schedule();
    }

    // REQUIRES: on this actor's thread; the task is complete.
    private void OnTaskCompleted(Task task)
    {
        if (task.IsFaulted)
        {
            var ex = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            Fail(ex, _currentMessage);
        }
        else if (task.IsCanceled)
        {
            Fail(new TaskCanceledException(task), _currentMessage);
        }
    }

    private static void ObserveAndForget(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    // REQUIRES: on this actor's thread, state Terminated.
    private void DrainToDeadLetters()
    {
        while (_mailbox.TryDequeueUser(out var envelope))
        {
            DeadLetterUser(envelope, DeadLetterReason.RecipientStopped);
        }
    }
}
