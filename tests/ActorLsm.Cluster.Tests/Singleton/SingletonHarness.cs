using System.Collections.Concurrent;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Membership;
using ActorLsm.Cluster.Singleton;
using ActorLsm.Cluster.Versions;
using ActorLsm.Cluster.Wire;
using ActorLsm.Kernel;

namespace ActorLsm.Cluster.Tests.Singleton;

/// <summary>Records what the singleton machinery did on every node, for the "never two active" checks.</summary>
internal sealed class SingletonRecorder : ISingletonObserver
{
    private readonly Lock _gate = new();
    private readonly List<(UniqueAddress Node, long Epoch)> _acting = [];
    private readonly List<(UniqueAddress Node, long Epoch)> _accepted = [];
    private readonly HashSet<UniqueAddress> _activeNow = [];
    private int _maxActiveAtOnce;
    private int _rejected;

    public IReadOnlyList<(UniqueAddress Node, long Epoch)> Acting
    {
        get
        {
            lock (_gate)
            {
                return _acting.ToArray();
            }
        }
    }

    public IReadOnlyList<(UniqueAddress Node, long Epoch)> Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted.ToArray();
            }
        }
    }

    public int MaxActiveAtOnce
    {
        get
        {
            lock (_gate)
            {
                return _maxActiveAtOnce;
            }
        }
    }

    public int Rejected => Volatile.Read(ref _rejected);

    public void OnActing(UniqueAddress node, long epoch)
    {
        lock (_gate)
        {
            _acting.Add((node, epoch));
            _activeNow.Add(node);
            _maxActiveAtOnce = Math.Max(_maxActiveAtOnce, _activeNow.Count);
        }
    }

    public void OnStoppedActing(UniqueAddress node, long epoch)
    {
        lock (_gate)
        {
            _activeNow.Remove(node);
        }
    }

    public void OnEpochAccepted(UniqueAddress node, long epoch)
    {
        lock (_gate)
        {
            _accepted.Add((node, epoch));
        }
    }

    public void OnBroadcastRejected(UniqueAddress node, long epoch) => Interlocked.Increment(ref _rejected);

    /// <summary>Epochs that started acting strictly increase and no epoch acted twice; per member, accepted epochs strictly increase.</summary>
    public void AssertNeverTwoActive()
    {
        var acting = Acting;
        for (int i = 1; i < acting.Count; i++)
        {
            Assert.True(acting[i].Epoch > acting[i - 1].Epoch, $"acting epochs must strictly increase: {string.Join(", ", acting)}");
        }

        foreach (var group in Accepted.GroupBy(a => a.Node))
        {
            long[] epochs = group.Select(a => a.Epoch).ToArray();
            for (int i = 1; i < epochs.Length; i++)
            {
                Assert.True(epochs[i] > epochs[i - 1], $"{group.Key} accepted epochs out of order: {string.Join(", ", epochs)}");
            }
        }
    }
}

/// <summary>
/// N singleton managers in one actor system, with a scripted membership view (no remoting, no
/// gossip): isolates the singleton protocol from membership timing.
/// </summary>
internal sealed class SingletonHarness : IAsyncDisposable
{
    private readonly ConcurrentDictionary<UniqueAddress, IActorRef> _managers = new();
    private readonly List<string> _dirs = [];
    private readonly List<Member> _members = [];
    private int _upNumber;

    public SingletonHarness(int shardCount = 4, int minMembers = 3)
    {
        ShardCount = shardCount;
        MinMembers = minMembers;
        System = ActorSystem.Create("singleton-harness");
    }

    public ActorSystem System { get; }

    public int ShardCount { get; }

    public int MinMembers { get; }

    public SingletonRecorder Recorder { get; } = new();

    public SingletonSettings Settings { get; } = new()
    {
        BroadcastInterval = TimeSpan.FromMilliseconds(50),
        CeilingJump = 20,
        HandOverRetryInterval = TimeSpan.FromMilliseconds(100),
        EpochAckTimeout = TimeSpan.FromMilliseconds(500),
    };

    public Dictionary<UniqueAddress, ClusterView> Views { get; } = [];

    public Dictionary<UniqueAddress, List<ClusterVersions>> Seen { get; } = [];

    public IActorRef Resolve(UniqueAddress node) => _managers.TryGetValue(node, out IActorRef? r) ? r : System.DeadLetters;

    /// <summary>Starts a node (its data dir persists across <see cref="Start"/> calls with the same <paramref name="dataDir"/>).</summary>
    public UniqueAddress Start(int port, string? dataDir = null)
    {
        var self = UniqueAddress.NewIncarnation(new NodeAddress("127.0.0.1", port));
        dataDir ??= NewDir();
        var view = new ClusterView(self, (target, reports) => Resolve(target).Tell(SingletonWire.ToMsg(self, reports)));
        var seen = new List<ClusterVersions>();
        view.Changed += () =>
        {
            lock (seen)
            {
                if (seen.Count == 0 || !seen[^1].Equals(view.Versions))
                {
                    seen.Add(view.Versions);
                }
            }
        };
        var ctx = new SingletonContext(self, Settings, ShardCount, MinMembers, new SingletonStateStore(dataDir), view, Resolve, Recorder);
        _managers[self] = System.ActorOf(Props.Create(() => new SingletonManagerActor(ctx)), "manager-" + port + "-" + self.Uid);
        Views[self] = view;
        Seen[self] = seen;
        _members.Add(new Member(self, MemberStatus.Up, ++_upNumber, "127.0.0.1:" + (port + 5000)));
        Publish();
        return self;
    }

    public string NewDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "actorlsm-singleton-" + Guid.NewGuid().ToString("N"));
        _dirs.Add(dir);
        return dir;
    }

    public void SetStatus(UniqueAddress node, MemberStatus status)
    {
        int i = _members.FindIndex(m => m.UniqueAddress.Equals(node));
        _members[i] = _members[i] with { Status = status };
        Publish();
    }

    /// <summary>Stops the node's manager without any hand-over (a crash) and marks it Down.</summary>
    public void Crash(UniqueAddress node)
    {
        if (_managers.TryRemove(node, out IActorRef? r))
        {
            System.Stop(r);
        }

        SetStatus(node, MemberStatus.Down);
    }

    public Task<HandOverCompleted> LeaveAsync(UniqueAddress node)
    {
        SetStatus(node, MemberStatus.Leaving);
        return Resolve(node).Ask<HandOverCompleted>(WaitForHandOver.Instance, TimeSpan.FromSeconds(20));
    }

    public void Publish()
    {
        var state = new ClusterState(_members.Where(m => m.Status != MemberStatus.Removed).OrderBy(m => m.UniqueAddress).ToArray(), new HashSet<UniqueAddress>(), null, true);
        foreach (var (node, manager) in _managers)
        {
            Views[node].SetMembership(state);
            manager.Tell(new MembershipSnapshot(state));
        }
    }

    /// <summary>Every live node reports every shard at (current - 1, current - 2) of its view.</summary>
    public void ReportAll()
    {
        foreach (var (node, _) in _managers)
        {
            ClusterVersions v = Views[node].Versions;
            if (v.Current > 2)
            {
                Views[node].ReportShardVersions(Enumerable.Range(0, ShardCount).Select(s => new ShardVersionReport(s, v.Current - 1, v.Current - 2, v.Current * 10)).ToArray());
            }
        }
    }

    public static async Task<T> Eventually<T>(Func<T?> probe, string what, TimeSpan? timeout = null, Action? eachRound = null)
        where T : class
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            eachRound?.Invoke();
            T? value = probe();
            if (value is not null)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate();
        foreach (string d in _dirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
