using System.Diagnostics;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using KeyValue = ActorLsm.Messages.KeyValue;
using Akka.Actor;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// One scattered request (a scan over several members, or a batch split over them): collects
/// <c>parts</c> replies, then answers <c>replyTo</c> once with the combined reply and stops. The first
/// <see cref="ActorLsmError"/> is answered at once (the other parts may still apply: batches are atomic
/// per shard only). No reply within the timeout → TIMEOUT. A child of the router; never Asks.
/// An error that <c>retry</c> turns into a message goes to the router instead (a scan that met a
/// leadership change is routed again, with backoff).
/// </summary>
internal sealed class ScatterAggregator : ReceiveActor
{
    private readonly List<IActorLsmReply> _parts = [];
    private readonly int _expected;

    public ScatterAggregator(int parts, IActorRef replyTo, Func<IReadOnlyList<IActorLsmReply>, IActorLsmReply> combine, long correlationId, TimeSpan timeout, Func<ActorLsmError, object?>? retry = null)
    {
        _expected = parts;
        Context.SetReceiveTimeout(timeout);
        Receive<ActorLsmError>(error =>
        {
            if (retry?.Invoke(error) is { } again)
            {
                Context.Parent.Tell(again);
            }
            else
            {
                replyTo.Tell(error with { CorrelationId = correlationId });
            }

            Context.Stop(Self);
        });
        Receive<IActorLsmReply>(reply =>
        {
            _parts.Add(reply);
            AssertInvariants();
            if (_parts.Count == parts)
            {
                replyTo.Tell(combine(_parts));
                Context.Stop(Self);
            }
        });
        Receive<ReceiveTimeout>(_ =>
        {
            replyTo.Tell(new ActorLsmError(ErrorCode.Timeout, $"{parts - _parts.Count} of {parts} members did not answer within {timeout}", correlationId));
            Context.Stop(Self);
        });
    }

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_parts.Count <= _expected && _parts.TrueForAll(p => p is not ActorLsmError), "at most one reply per part, none an error");

    /// <summary>
    /// The aggregator's Props: <paramref name="combine"/> gets the <paramref name="parts"/> replies (none an
    /// error); <paramref name="retry"/> (optional) turns an error into a message for the router instead of a reply.
    /// </summary>
    public static Props Props(int parts, IActorRef replyTo, Func<IReadOnlyList<IActorLsmReply>, IActorLsmReply> combine, long correlationId, TimeSpan timeout, Func<ActorLsmError, object?>? retry = null) =>
        Akka.Actor.Props.Create(() => new ScatterAggregator(parts, replyTo, combine, correlationId, timeout, retry));

    /// <summary>
    /// Merges sorted scan pages into one page of at most <paramref name="limit"/> entries in key order
    /// (descending when <paramref name="reverse"/>); truncated when a page was or entries were left out.
    /// </summary>
    public static IActorLsmReply MergeScan(IReadOnlyList<IActorLsmReply> parts, int limit, bool reverse, long correlationId)
    {
        var all = new List<KeyValue>();
        bool truncated = false;
        foreach (ScanResult page in parts.Cast<ScanResult>())
        {
            all.AddRange(page.Entries);
            truncated |= page.Truncated;
        }

        all.Sort((a, b) => reverse ? b.Key.AsSpan().SequenceCompareTo(a.Key) : a.Key.AsSpan().SequenceCompareTo(b.Key));
        if (all.Count > limit)
        {
            all.RemoveRange(limit, all.Count - limit);
            truncated = true;
        }

        return new ScanResult(all, truncated, correlationId);
    }

    /// <summary>The shards touched by every part together.</summary>
    public static IActorLsmReply SumBatch(IReadOnlyList<IActorLsmReply> parts, long correlationId) =>
        new WriteBatchResult(parts.Cast<WriteBatchResult>().Sum(static p => p.Shards), correlationId);
}
