using ActorLsm.Shards.Shard;
using Akka.Actor;
using Akka.Event;

namespace ActorLsm.Shards.Routing;

/// <summary>
/// The node router (<c>/user/actorlsm-shards</c> by default, <see cref="ShardedNodeOptions.RouterName"/>):
/// parent and supervisor of the shard actors (<c>shard-00</c> .. <c>shard-NN</c>). Keyed requests
/// (<see cref="IShardKeyed"/>) go to the shard owning the key by <see cref="KeyHash"/>;
/// <see cref="ToShard"/> goes to a named shard; the sender is kept, so the shard answers the
/// original asker. A failing shard is restarted alone (one-for-one, Akka's restart keeps its
/// mailbox) while the others keep serving; the restarted shard waits its own backoff before it
/// reopens its store (<see cref="ShardActor"/>). The router itself never blocks and runs on the
/// system's default dispatcher.
/// </summary>
internal sealed class NodeRouterActor : UntypedActor
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

    private ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <summary>Props of the router of <paramref name="handles"/>.</summary>
    public static Props Props(ShardHandle[] handles, ShardSettings settings, NodeLifecycle lifecycle) =>
        Akka.Actor.Props.Create(() => new NodeRouterActor(handles, settings, lifecycle));

    protected override void PreStart()
    {
        for (int i = 0; i < _handles.Length; i++)
        {
            ShardHandle handle = _handles[i];
            IActorRef shard = Context.ActorOf(ShardActor.Props(handle, _settings), Layout.NodeMetadata.ShardName(i));
            handle.Ref = shard;
            _shards[i] = shard;
            Context.Watch(shard);
        }
    }

    /// <summary>
    /// One-for-one, unlimited restarts: a shard that failed is restarted (its own backoff paces the
    /// reopen); one that was killed stays stopped.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        maxNrOfRetries: -1,
        withinTimeRange: Timeout.InfiniteTimeSpan,
        localOnlyDecider: static cause => cause is ActorKilledException ? Directive.Stop : Directive.Restart);

    protected override void PostStop()
    {
        foreach (ShardHandle handle in _handles)
        {
            handle.State = ShardState.Stopped;
        }

        _lifecycle.Started.TrySetException(new ShardUnavailableException("the node stopped before every shard started"));
        _lifecycle.Stopped.TrySetResult();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IShardKeyed keyed:
                _shards[KeyHash.ShardOf(keyed.RoutingKey, _shards.Length)].Forward(message);
                return;
            case ToShard to when (uint)to.ShardId < (uint)_shards.Length:
                _shards[to.ShardId].Forward(to.Message);
                return;
            case ToShard to:
                Sender.Tell(new Status.Failure(new ArgumentOutOfRangeException(nameof(message), to.ShardId, $"no shard {to.ShardId}; the node has {_shards.Length}")));
                return;
            case ShardStarted started:
                _started.Add(started.ShardId);
                if (_started.Count == _shards.Length)
                {
                    _lifecycle.Started.TrySetResult();
                }

                return;
            case ShardOpenFailed failed:
                // The shard logged it and retries; a node still starting fails its start with it.
                if (_lifecycle.Started.TrySetException(failed.Error))
                {
                    Log.Warning("shard {Id} could not open its store while the node was starting; the start fails", failed.ShardId);
                }

                return;
            case Terminated terminated:
                foreach (ShardHandle handle in _handles)
                {
                    if (handle.Ref.Equals(terminated.ActorRef))
                    {
                        handle.State = ShardState.Stopped;
                    }
                }

                return;
            default:
                Unhandled(message);
                return;
        }
    }
}

/// <summary>Signals shared by the node façade and its router.</summary>
internal sealed class NodeLifecycle
{
    /// <summary>Completes when every shard has opened its store; faults when one cannot.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes after the router and every shard stopped (stores closed).</summary>
    public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
