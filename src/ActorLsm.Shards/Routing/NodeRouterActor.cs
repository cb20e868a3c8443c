using ActorLsm.Kernel;
using ActorLsm.Shards.Shard;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Shards.Routing;

/// <summary>
/// The node router (<c>/user/shards</c>): parent and supervisor of the shard actors
/// (<c>shard-00</c> .. <c>shard-NN</c>). Keyed requests (<see cref="IShardKeyed"/>) go to the
/// shard owning the key by <see cref="KeyHash"/>; <see cref="ToShard"/> goes to a named shard;
/// the sender is kept, so the shard answers the original asker. A failing shard is restarted
/// alone (one-for-one) with exponential backoff while the others keep serving.
/// </summary>
internal sealed class NodeRouterActor : ActorBase
{
    private readonly ShardHandle[] _handles;
    private readonly ShardSettings _settings;
    private readonly NodeLifecycle _lifecycle;
    private readonly IActorRef[] _shards;
    private readonly HashSet<int> _started = [];

    public NodeRouterActor(ShardHandle[] handles, ShardSettings settings, NodeLifecycle lifecycle)
    {
        _handles = handles;
        _settings = settings;
        _lifecycle = lifecycle;
        _shards = new IActorRef[handles.Length];
    }

    protected override void PreStart()
    {
        for (int i = 0; i < _handles.Length; i++)
        {
            ShardHandle handle = _handles[i];
            ShardSettings settings = _settings;
            IActorRef shard = Context.ActorOf(
                Props.Create(() => new ShardActor(handle, settings)).WithMailbox(Props.UnboundedMailbox),
                Layout.NodeMetadata.ShardName(i));
            handle.Ref = shard;
            _shards[i] = shard;
            Context.Watch(shard);
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        maxNrOfRetries: -1,
        withinTimeRange: TimeSpan.FromMinutes(1),
        decider: static cause => cause is ActorKilledException ? Directive.Stop : Directive.Restart,
        minBackoff: _lifecycle.RestartMinBackoff,
        maxBackoff: _lifecycle.RestartMaxBackoff);

    protected override void PostStop()
    {
        foreach (ShardHandle handle in _handles)
        {
            handle.State = ShardState.Stopped;
        }

        _lifecycle.Started.TrySetException(new ShardUnavailableException("the node stopped before every shard started"));
        _lifecycle.Stopped.TrySetResult();
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case IShardKeyed keyed:
                _shards[KeyHash.ShardOf(keyed.RoutingKey, _shards.Length)].Tell(message, Sender);
                return true;
            case ToShard to when (uint)to.ShardId < (uint)_shards.Length:
                _shards[to.ShardId].Tell(to.Message, Sender);
                return true;
            case ToShard to:
                Sender.Tell(new Status.Failure(new ArgumentOutOfRangeException(nameof(message), to.ShardId, $"no shard {to.ShardId}; the node has {_shards.Length}")));
                return true;
            case ShardStarted started:
                _started.Add(started.ShardId);
                if (_started.Count == _shards.Length)
                {
                    _lifecycle.Started.TrySetResult();
                }

                return true;
            case ShardOpenFailed failed:
                Log.LogError(failed.Error, "shard {Id} could not open its store", failed.ShardId);
                _lifecycle.Started.TrySetException(failed.Error);
                return true;
            case Terminated terminated:
                foreach (ShardHandle handle in _handles)
                {
                    if (ReferenceEquals(handle.Ref, terminated.ActorRef) || handle.Ref.Path == terminated.ActorRef.Path)
                    {
                        handle.State = ShardState.Stopped;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}

/// <summary>Signals and settings shared by the node façade and its router.</summary>
internal sealed class NodeLifecycle
{
    public NodeLifecycle(TimeSpan restartMinBackoff, TimeSpan restartMaxBackoff)
    {
        RestartMinBackoff = restartMinBackoff;
        RestartMaxBackoff = restartMaxBackoff;
    }

    /// <summary>Completes when every shard has opened its store; faults when one cannot.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes after the router and every shard stopped (stores closed).</summary>
    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan RestartMinBackoff { get; }

    public TimeSpan RestartMaxBackoff { get; }
}
