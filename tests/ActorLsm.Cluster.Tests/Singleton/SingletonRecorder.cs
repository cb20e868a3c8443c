using ActorLsm.Cluster.Singleton;

namespace ActorLsm.Cluster.Tests.Singleton;

/// <summary>Records what the singleton machinery did on every node, for the epoch-order checks.</summary>
internal sealed class SingletonRecorder : ISingletonObserver
{
    private readonly Lock _gate = new();
    private readonly List<(UniqueAddress Node, long Epoch)> _acting = [];
    private readonly List<(UniqueAddress Node, long Epoch)> _accepted = [];
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

    public int Rejected => Volatile.Read(ref _rejected);

    public void OnActing(UniqueAddress node, long epoch)
    {
        lock (_gate)
        {
            _acting.Add((node, epoch));
        }
    }

    public void OnStoppedActing(UniqueAddress node, long epoch)
    {
    }

    public void OnEpochAccepted(UniqueAddress node, long epoch)
    {
        lock (_gate)
        {
            _accepted.Add((node, epoch));
        }
    }

    public void OnBroadcastRejected(UniqueAddress node, long epoch) => Interlocked.Increment(ref _rejected);

    /// <summary>Epochs that started acting strictly increase (no epoch acted twice); per member, accepted epochs strictly increase.</summary>
    public void AssertEpochsIncrease()
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
