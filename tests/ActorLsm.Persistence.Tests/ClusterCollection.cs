namespace ActorLsm.Persistence.Tests;

/// <summary>The cluster-mode specs share one three-node cluster and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "three-node cluster";
}
