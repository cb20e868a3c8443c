using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Background;

/// <summary>
/// A shard's compactor child (<c>/user/actorlsm-shards/shard-07/compactor</c>): on
/// <see cref="RequestCompaction"/> it runs <see cref="IBackgroundWork.RunCompactionStep"/> one
/// compaction at a time until none is needed, then reports <see cref="CompactionFinished"/>.
/// </summary>
internal sealed class CompactorActor : BackgroundStepActor
{
    private readonly IBackgroundWork _work;

    public CompactorActor(IBackgroundWork work, IActorRef shard, BackgroundStepGate gate)
        : base(shard, gate)
    {
        _work = work;
    }

    /// <summary>Props of a shard's compactor on <paramref name="dispatcher"/>.</summary>
    public static Props Props(IBackgroundWork work, IActorRef shard, BackgroundStepGate gate, string dispatcher) =>
        Akka.Actor.Props.Create(() => new CompactorActor(work, shard, gate)).WithDispatcher(dispatcher);

    protected override bool OnMessage(object message)
    {
        if (message is RequestCompaction)
        {
            Request();
            return true;
        }

        return false;
    }

    protected override Func<int> PrepareRun(Func<bool> keepGoing)
    {
        IBackgroundWork work = _work;
        return () =>
        {
            int steps = 0;
            while (keepGoing() && work.RunCompactionStep())
            {
                steps++;
            }

            return steps;
        };
    }

    protected override object Report(int steps) => new CompactionFinished(steps);
}
