using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Background;

/// <summary>
/// A shard's flusher child (<c>/user/actorlsm-shards/shard-07/flusher</c>): on <see cref="RequestFlush"/>
/// it runs <see cref="IBackgroundWork.RunFlushStep"/> until it returns false; every
/// <see cref="IBackgroundWork.FlushInterval"/> a periodic timer makes it switch a memtable older
/// than the interval (seed 000: memtables do not sit in memory for long) and flush it.
/// </summary>
internal sealed class FlusherActor : BackgroundStepActor, IWithTimers
{
    private const string AgeTimer = "flush-age";
    private readonly IBackgroundWork _work;
    private bool _ageCheckDue;

    public FlusherActor(IBackgroundWork work, IActorRef shard, BackgroundStepGate gate)
        : base(shard, gate)
    {
        _work = work;
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a shard's flusher on <paramref name="dispatcher"/>.</summary>
    public static Props Props(IBackgroundWork work, IActorRef shard, BackgroundStepGate gate, string dispatcher) =>
        Akka.Actor.Props.Create(() => new FlusherActor(work, shard, gate)).WithDispatcher(dispatcher);

    protected override void PreStart()
    {
        if (_work.FlushInterval > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(AgeTimer, FlushAgeTick.Instance, _work.FlushInterval);
        }
    }

    protected override bool OnMessage(object message)
    {
        switch (message)
        {
            case RequestFlush:
                Request();
                return true;
            case FlushAgeTick:
                _ageCheckDue = true;
                Request();
                return true;
            default:
                return false;
        }
    }

    protected override Func<int> PrepareRun(Func<bool> keepGoing)
    {
        IBackgroundWork work = _work;
        bool ageCheck = _ageCheckDue;
        _ageCheckDue = false;
        return () =>
        {
            if (ageCheck)
            {
                work.FlushIfOlderThan(work.FlushInterval);
            }

            int steps = 0;
            while (keepGoing() && work.RunFlushStep())
            {
                steps++;
            }

            return steps;
        };
    }

    protected override object Report(int steps) => new FlushStepsDone(steps);
}

/// <summary>To the shard: the flusher ran <paramref name="Steps"/> flush steps that did work.</summary>
internal sealed record FlushStepsDone(int Steps);
