using ActorLsm.Hocon;

namespace ActorLsm.Cluster.Membership;

/// <summary>
/// Settings of membership, failure detection and downing (hocon <c>actorlsm.cluster</c>; commented
/// defaults in reference.conf). Names and defaults follow Akka.Cluster's <c>akka.cluster</c> section.
/// Compares by value (the seed list element by element).
/// </summary>
public sealed record MembershipSettings
{
    /// <summary>Remoting addresses of the seed nodes, <c>host:port</c>. The first one forms a new cluster alone when no seed answers.</summary>
    public IReadOnlyList<NodeAddress> SeedNodes { get; init; } = [];

    /// <summary>How long a node waits for an InitJoinAck from the seeds before the first seed joins itself. Default 5 s.</summary>
    public TimeSpan SeedNodeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A join that got no Welcome within this time starts over. Default 10 s.</summary>
    public TimeSpan RetryUnsuccessfulJoinAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The leader moves no one to Up before this many members are Joining or Up (only while none is Up yet). Default 1.</summary>
    public int MinNrOfMembers { get; init; } = 1;

    /// <summary>How often a node gossips its view. Default 1 s.</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the leader checks for convergence and moves members on. Default 1 s.</summary>
    public TimeSpan LeaderActionsInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The phi-accrual failure detector (<c>failure-detector</c>).</summary>
    public FailureDetectorSettings FailureDetector { get; init; } = new();

    /// <summary>The split-brain resolver (<c>split-brain-resolver</c>).</summary>
    public SplitBrainResolverSettings SplitBrainResolver { get; init; } = new();

    /// <summary>Reads <c>actorlsm.cluster</c> from <paramref name="config"/> (the full configuration, reference included) and validates it.</summary>
    public static MembershipSettings FromConfig(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        HoconConfig c = config.GetConfig("actorlsm.cluster");
        HoconConfig fd = c.GetConfig("failure-detector");
        HoconConfig sbr = c.GetConfig("split-brain-resolver");
        var settings = new MembershipSettings
        {
            SeedNodes = c.GetStringList("seed-nodes").Select(NodeAddress.Parse).ToArray(),
            SeedNodeTimeout = c.GetDuration("seed-node-timeout"),
            RetryUnsuccessfulJoinAfter = c.GetDuration("retry-unsuccessful-join-after"),
            MinNrOfMembers = c.GetInt("min-nr-of-members"),
            GossipInterval = c.GetDuration("gossip-interval"),
            LeaderActionsInterval = c.GetDuration("leader-actions-interval"),
            FailureDetector = new FailureDetectorSettings
            {
                HeartbeatInterval = fd.GetDuration("heartbeat-interval"),
                Threshold = fd.GetDouble("threshold"),
                AcceptableHeartbeatPause = fd.GetDuration("acceptable-heartbeat-pause"),
                MinStdDeviation = fd.GetDuration("min-std-deviation"),
                MaxSampleSize = fd.GetInt("max-sample-size"),
                ExpectedResponseAfter = fd.GetDuration("expected-response-after"),
            },
            SplitBrainResolver = new SplitBrainResolverSettings
            {
                ActiveStrategy = sbr.GetString("active-strategy"),
                StableAfter = sbr.GetDuration("stable-after"),
            },
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the hocon key of the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(SeedNodes, "seed-nodes");
        Positive(SeedNodeTimeout, "seed-node-timeout");
        Positive(RetryUnsuccessfulJoinAfter, "retry-unsuccessful-join-after");
        if (MinNrOfMembers < 1)
        {
            throw new ArgumentException($"min-nr-of-members must be >= 1, got {MinNrOfMembers}", "min-nr-of-members");
        }

        Positive(GossipInterval, "gossip-interval");
        Positive(LeaderActionsInterval, "leader-actions-interval");
        FailureDetectorSettings fd = FailureDetector ?? throw new ArgumentException("failure-detector is missing", "failure-detector");
        Positive(fd.HeartbeatInterval, "failure-detector.heartbeat-interval");
        if (!(fd.Threshold > 0) || double.IsInfinity(fd.Threshold))
        {
            throw new ArgumentException($"failure-detector.threshold must be > 0, got {fd.Threshold}", "failure-detector.threshold");
        }

        if (fd.AcceptableHeartbeatPause < TimeSpan.Zero)
        {
            throw new ArgumentException("failure-detector.acceptable-heartbeat-pause must be >= 0", "failure-detector.acceptable-heartbeat-pause");
        }

        Positive(fd.MinStdDeviation, "failure-detector.min-std-deviation");
        if (fd.MaxSampleSize < 1)
        {
            throw new ArgumentException($"failure-detector.max-sample-size must be >= 1, got {fd.MaxSampleSize}", "failure-detector.max-sample-size");
        }

        Positive(fd.ExpectedResponseAfter, "failure-detector.expected-response-after");
        SplitBrainResolverSettings sbr = SplitBrainResolver ?? throw new ArgumentException("split-brain-resolver is missing", "split-brain-resolver");
        if (sbr.ActiveStrategy != SplitBrainResolverSettings.KeepMajority)
        {
            throw new ArgumentException($"split-brain-resolver.active-strategy must be keep-majority, got '{sbr.ActiveStrategy}'", "split-brain-resolver.active-strategy");
        }

        Positive(sbr.StableAfter, "split-brain-resolver.stable-after");
    }

    /// <inheritdoc/>
    public bool Equals(MembershipSettings? other) =>
        other is not null
        && SeedNodes.SequenceEqual(other.SeedNodes)
        && SeedNodeTimeout == other.SeedNodeTimeout
        && RetryUnsuccessfulJoinAfter == other.RetryUnsuccessfulJoinAfter
        && MinNrOfMembers == other.MinNrOfMembers
        && GossipInterval == other.GossipInterval
        && LeaderActionsInterval == other.LeaderActionsInterval
        && Equals(FailureDetector, other.FailureDetector)
        && Equals(SplitBrainResolver, other.SplitBrainResolver);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SeedNodes.Count, SeedNodeTimeout, MinNrOfMembers, GossipInterval, FailureDetector, SplitBrainResolver);

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{key} must be > 0, got {value}", key);
        }
    }
}

/// <summary>
/// The phi-accrual failure detector's settings (hocon <c>actorlsm.cluster.failure-detector</c>), with
/// Akka's defaults; the detector is Hayashibara et al.'s, as Akka implements it.
/// </summary>
public sealed record FailureDetectorSettings
{
    /// <summary>How often a node heartbeats every other member. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Phi at or above which a member is suspected (unreachable). Default 8.0.</summary>
    public double Threshold { get; init; } = 8.0;

    /// <summary>Silence tolerated on top of the mean heartbeat interval (GC pauses, hiccups). Default 3 s.</summary>
    public TimeSpan AcceptableHeartbeatPause { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Lower bound of the interval standard deviation used in phi. Default 100 ms.</summary>
    public TimeSpan MinStdDeviation { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Heartbeat intervals kept to estimate mean and deviation. Default 1000.</summary>
    public int MaxSampleSize { get; init; } = 1000;

    /// <summary>After the first heartbeat to a new member, how long until its silence starts to count. Default 1 s.</summary>
    public TimeSpan ExpectedResponseAfter { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The split-brain resolver's settings (hocon <c>actorlsm.cluster.split-brain-resolver</c>; Akka's SBR).</summary>
public sealed record SplitBrainResolverSettings
{
    /// <summary>The only strategy implemented: keep the side with the majority of Up members.</summary>
    public const string KeepMajority = "keep-majority";

    /// <summary>The downing strategy; only <c>keep-majority</c>. Default keep-majority.</summary>
    public string ActiveStrategy { get; init; } = KeepMajority;

    /// <summary>How long the set of unreachable members must stay unchanged before the resolver decides. Default 20 s.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(20);
}
