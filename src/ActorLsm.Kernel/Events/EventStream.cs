using System.Diagnostics;

namespace ActorLsm.Kernel;

/// <summary>
/// A minimal publish/subscribe bus per <see cref="ActorSystem"/> (Akka.NET's <c>EventStream</c>):
/// an event goes to every subscriber whose channel type the event is assignable to. Thread-safe;
/// publishing never blocks and never throws (full subscriber mailboxes drop the event).
/// Stopped actors are unsubscribed automatically.
/// </summary>
public sealed class EventStream
{
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];

    /// <summary>Subscribes <paramref name="subscriber"/> to events assignable to <paramref name="channel"/>; false if already subscribed.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            var current = _subscriptions;
            if (Array.Exists(current, s => s.Subscriber.Equals(subscriber) && s.Channel == channel))
            {
                return false;
            }

            _subscriptions = [.. current, new Subscription(subscriber, channel)];
            AssertInvariants();
            return true;
        }
    }

    /// <summary>Removes one subscription; false if there was none.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        return Remove(s => s.Subscriber.Equals(subscriber) && s.Channel == channel);
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>; false if there was none.</summary>
    public bool Unsubscribe(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        return Remove(s => s.Subscriber.Equals(subscriber));
    }

    /// <summary>Tells <paramref name="event"/> (no sender) to every matching subscriber.</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            if (s.Channel.IsAssignableFrom(type))
            {
                ActorRefInternals.TellNoThrow(s.Subscriber, @event, null);
            }
        }
    }

    private bool Remove(Predicate<Subscription> match)
    {
        lock (_gate)
        {
            var current = _subscriptions;
            if (!Array.Exists(current, match))
            {
                return false;
            }

            _subscriptions = Array.FindAll(current, s => !match(s));
            AssertInvariants();
            return true;
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_subscriptions.All(s => s.Subscriber is not null && s.Channel is not null), "no null subscriptions");
    }

    private sealed record Subscription(IActorRef Subscriber, Type Channel);
}
