namespace ActorLsm.Persistence.Hosting;

/// <summary>Where the plugins keep their data (HOCON key <c>mode</c>).</summary>
public enum ActorLsmStoreMode
{
    /// <summary><c>mode = embedded</c>: a local LsmStore in this process under <c>data-dir</c>; no cluster, no server.</summary>
    Embedded,

    /// <summary>
    /// <c>mode = cluster</c>: the replicated shards through <c>IActorLsm</c>; the ActorSystem must also run
    /// <c>WithActorLsm</c> (a data member) or <c>WithActorLsmProxy</c> (ActorLsm.Hosting).
    /// </summary>
    Cluster,
}
