namespace ActorLsm.Testing;

/// <summary>
/// Akka.Cluster's timers sped up for test clusters on 127.0.0.1: a crashed member is unreachable
/// after ~1-2 s (heartbeat 200 ms, acceptable pause 1.5 s) and the split-brain resolver decides
/// 2 s later, instead of the production defaults' tens of seconds. Shared by the cluster, hosting,
/// server and persistence test projects (linked into each as source).
/// </summary>
internal static class FastClusterTimings
{
    /// <summary>
    /// HOCON with full paths, so it can be appended to any config text or used as a fallback; a
    /// setting given again later in the same text wins.
    /// </summary>
    public const string Hocon = """
        akka.cluster {
          gossip-interval = 200ms
          leader-actions-interval = 200ms
          unreachable-nodes-reaper-interval = 200ms
          periodic-tasks-initial-delay = 100ms
          failure-detector {
            heartbeat-interval = 200ms
            acceptable-heartbeat-pause = 1500ms
            expected-response-after = 500ms
          }
          split-brain-resolver.stable-after = 2s
          singleton.hand-over-retry-interval = 200ms
          singleton-proxy.singleton-identification-interval = 200ms
        }
        # Terminating the actor system is a crash, as in a killed process: no graceful leave first.
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """;
}
