using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Background;

/// <summary>
/// The store's background host inside a shard: <see cref="RequestFlush"/> and
/// <see cref="RequestCompaction"/> become messages to the shard's flusher and compactor
/// children, which run the steps. <see cref="Dispose"/> (called by the store's Dispose) refuses
/// new steps and waits on the step gate for the running ones.
/// </summary>
internal sealed class ActorBackgroundWorkHost : IBackgroundWorkHost
{
    private readonly IActorRef _flusher;
    private readonly IActorRef _compactor;
    private readonly BackgroundStepGate _gate;

    public ActorBackgroundWorkHost(IActorRef flusher, IActorRef compactor, BackgroundStepGate gate)
    {
        _flusher = flusher;
        _compactor = compactor;
        _gate = gate;
    }

    public void RequestFlush()
    {
        if (!_gate.IsClosed)
        {
            _flusher.Tell(Background.RequestFlush.Instance);
        }
    }

    public void RequestCompaction()
    {
        if (!_gate.IsClosed)
        {
            _compactor.Tell(Background.RequestCompaction.Instance);
        }
    }

    public void Dispose() => _gate.CloseAndWait();
}
