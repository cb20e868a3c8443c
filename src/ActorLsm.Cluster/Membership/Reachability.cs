namespace ActorLsm.Cluster.Membership;

/// <summary>
/// What <paramref name="Observer"/>'s failure detector says of <paramref name="Subject"/> (Akka.Cluster's
/// reachability record). <paramref name="Version"/> grows per observer with every record it changes;
/// merging keeps the record with the higher version, so the view converges like a CRDT.
/// </summary>
internal sealed record ReachabilityRecord(UniqueAddress Observer, UniqueAddress Subject, bool Unreachable, long Version);

/// <summary>
/// A member's acknowledgement that it has seen the view with <paramref name="Digest"/>; written only by
/// that member, ordered by <paramref name="Sequence"/> (higher wins on merge).
/// </summary>
internal readonly record struct SeenEntry(long Sequence, ulong Digest);
