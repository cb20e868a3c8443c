using Akka.Hosting;

namespace ActorLsm.Benchmarks.Persistence;

/// <summary>How the benchmark's hosts configure the ActorLsm journal and snapshot store.</summary>
internal static class PersistenceTargets
{
    /// <summary>The journal in-process on a local store in <paramref name="dataDirectory"/>.</summary>
    public static void Embedded(AkkaConfigurationBuilder akka, string dataDirectory) =>
        throw new NotSupportedException($"the embedded journal is not wired yet ({akka}, {dataDirectory})");

    /// <summary>The journal on the member's replicated shards (WithActorLsm on the same host).</summary>
    public static void Cluster(AkkaConfigurationBuilder akka) =>
        throw new NotSupportedException($"the cluster journal is not wired yet ({akka})");
}
