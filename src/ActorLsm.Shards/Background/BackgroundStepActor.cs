using Akka.Actor;
using Akka.Event;

namespace ActorLsm.Shards.Background;

/// <summary>
/// Shape shared by a shard's flusher and compactor: a request sets a flag; when no step is
/// running, the steps run on the thread pool (Task.Run) inside the
/// store's step gate (the child itself runs on the shard's I/O dispatcher), one batch at a time, so the child's mailbox stays responsive and the shard
/// actor is never blocked. Requests arriving meanwhile start another batch when it ends.
/// </summary>
internal abstract class BackgroundStepActor : UntypedActor
{
    private readonly BackgroundStepGate _gate;
    private bool _running;
    private bool _requested;

    protected BackgroundStepActor(IActorRef shard, BackgroundStepGate gate)
    {
        Shard = shard;
        _gate = gate;
    }

    /// <summary>The shard actor, which receives the reports.</summary>
    protected IActorRef Shard { get; }

    private ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <summary>
    /// REQUIRES: called on the actor's thread. Returns the work of one batch, to run on the thread
    /// pool: it runs steps until none is left or the gate closes and returns how many did work.
    /// </summary>
    protected abstract Func<int> PrepareRun(Func<bool> keepGoing);

    /// <summary>The report for the shard after a batch in which <paramref name="steps"/> steps did work.</summary>
    protected abstract object Report(int steps);

    /// <summary>Handles the child's own messages; false when unhandled.</summary>
    protected abstract bool OnMessage(object message);

    /// <summary>REQUIRES: called on the actor's thread. Asks for a batch of steps.</summary>
    protected void Request()
    {
        _requested = true;
        TryStart();
    }

    protected sealed override void OnReceive(object message)
    {
        if (message is StepsDone done)
        {
            _running = false;
            if (done.Error is not null)
            {
                Log.Error(done.Error, "background step of {Path} failed", Self.Path);
            }

            if (done.Steps > 0)
            {
                Shard.Tell(Report(done.Steps), Self);
            }

            TryStart();
            return;
        }

        if (!OnMessage(message))
        {
            Unhandled(message);
        }
    }

    private void TryStart()
    {
        if (_running || !_requested || _gate.IsClosed)
        {
            return;
        }

        _running = true;
        _requested = false;
        BackgroundStepGate gate = _gate;
        Func<int> run = PrepareRun(() => !gate.IsClosed);
        IActorRef self = Self;
        _ = Task.Run(() =>
        {
            if (!gate.TryEnter())
            {
                return 0;
            }

            try
            {
                return run();
            }
            finally
            {
                gate.Exit();
            }
        }).ContinueWith(
            t => self.Tell(new StepsDone(t.IsCompletedSuccessfully ? t.Result : 0, t.Exception?.GetBaseException())),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
