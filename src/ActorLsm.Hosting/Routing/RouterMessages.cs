using ActorLsm.Messages;
using Akka.Actor;
using MessagePack;

namespace ActorLsm.Hosting.Routing;

/// <summary>
/// Router to router (Akka.Remote): read <paramref name="Scan"/> from exactly the shards
/// <paramref name="Shards"/>, which the sender believes the receiving member leads. Reply: a
/// <see cref="ScanResult"/> of at most the scan's limit entries of those shards, or
/// <see cref="ActorLsmError"/> (UNAVAILABLE when the receiver does not lead one of them).
/// </summary>
/// <param name="Scan">The client's scan (bounds, limit, order, correlation id).</param>
/// <param name="Shards">Shard ids, ascending.</param>
[MessagePackObject]
public sealed record ScanShards([property: Key(0)] Scan Scan, [property: Key(1)] int[] Shards);

/// <summary>A request waiting for a shard leader (or a data member) to appear; local only.</summary>
/// <param name="Request">The client's request.</param>
/// <param name="ReplyTo">Who gets the reply.</param>
/// <param name="Attempt">Attempts made so far (1 = the first retry).</param>
internal sealed record RetryRequest(IActorLsmRequest Request, IActorRef ReplyTo, int Attempt);

/// <summary>A local read found its shard not leading (<paramref name="Why"/>): retried with backoff, or answered UNAVAILABLE after the last attempt.</summary>
internal sealed record ReadUnavailable(IActorLsmRequest Request, IActorRef ReplyTo, int Attempt, string Why);
