using ActorLsm.Persistence.Hosting;
using Akka.Hosting;

namespace ActorLsm.Benchmarks.Persistence;

/// <summary>How the benchmark's hosts configure the ActorLsm journal and snapshot store (as the README tells users to).</summary>
internal static class PersistenceTargets
{
    /// <summary>The journal in-process on a local store in <paramref name="dataDirectory"/>.</summary>
    public static void Embedded(AkkaConfigurationBuilder akka, string dataDirectory) =>
        akka.WithActorLsmPersistence(ActorLsmStoreMode.Embedded, dataDirectory: dataDirectory);

    /// <summary>The journal on the member's replicated shards (WithActorLsm on the same host).</summary>
    public static void Cluster(AkkaConfigurationBuilder akka) =>
        akka.WithActorLsmPersistence(ActorLsmStoreMode.Cluster);
}
