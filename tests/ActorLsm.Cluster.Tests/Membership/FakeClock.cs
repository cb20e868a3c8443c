using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Tests.Membership;

/// <summary>A clock tests move by hand.</summary>
internal sealed class FakeClock : IClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UnixEpoch + Elapsed;

    public TimeSpan Elapsed { get; private set; }

    public void Advance(TimeSpan by) => Elapsed += by;
}
