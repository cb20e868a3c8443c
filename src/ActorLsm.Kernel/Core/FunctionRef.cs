using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>
/// A mailbox-less ref that runs a callback on the sender's thread (Ask replies, TestKit probes).
/// It can watch actors (the <see cref="Terminated"/> arrives through the same callback) and be watched.
/// The callback must be thread-safe and quick.
/// </summary>
internal sealed class FunctionRef : InternalActorRef
{
    private readonly Action<object, IActorRef?> _onMessage;
    private readonly Lock _gate = new();
    private HashSet<InternalActorRef>? _watchers;
    private bool _stopped;

    public FunctionRef(ActorPath path, ActorSystem? system, Action<object, IActorRef?> onMessage)
    {
        Path = path;
        System = system;
        _onMessage = onMessage;
        if (system is not null && path.Depth == 2 && path.Parent?.Name == "temp")
        {
            system.RegisterTemp(this); // resolvable while live (remote replies); removed by Stop
        }
    }

    public override ActorPath Path { get; }

    public override ActorSystem? System { get; }

    public override bool IsTerminated
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsTerminated)
        {
            System?.PublishDeadLetter(new DeadLetter(message, sender, this, DeadLetterReason.RecipientStopped));
            return;
        }

        _onMessage(message, sender);
    }

    public override void SendSystem(SystemMessage message)
    {
        switch (message)
        {
            case DeathWatchNotification n:
                if (!IsTerminated)
                {
                    _onMessage(new Terminated(n.Actor), n.Actor);
                }

                break;
            case Watch w:
                bool stopped;
                lock (_gate)
                {
                    stopped = _stopped;
                    if (!stopped)
                    {
                        (_watchers ??= []).Add(w.Watcher);
                    }
                }

                if (stopped)
                {
                    w.Watcher.SendSystem(new DeathWatchNotification(this));
                }

                break;
            case Unwatch u:
                lock (_gate)
                {
                    _watchers?.Remove(u.Watcher);
                }

                break;
            default:
                if (message is Terminate)
                {
                    Stop();
                }

                break;
        }
    }

    /// <summary>Starts watching <paramref name="target"/>; a <see cref="Terminated"/> arrives via the callback.</summary>
    // REQUIRES: target is a kernel ref.
    public void WatchTarget(InternalActorRef target) => target.SendSystem(new Watch(target, this));

    // REQUIRES: target is a kernel ref.
    public void UnwatchTarget(InternalActorRef target) => target.SendSystem(new Unwatch(target, this));

    /// <summary>Stops the ref: later messages become dead letters; watchers get <see cref="Terminated"/>.</summary>
    public void Stop()
    {
        HashSet<InternalActorRef>? watchers;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            System?.UnregisterTemp(this);
            watchers = _watchers;
            _watchers = null;
            AssertInvariants();
        }

        foreach (var w in watchers ?? [])
        {
            w.SendSystem(new DeathWatchNotification(this));
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(!_stopped || _watchers is null, "a stopped ref keeps no watchers");
    }
}
