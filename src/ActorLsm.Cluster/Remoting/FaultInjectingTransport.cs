using System.Diagnostics;
using ActorLsm.Cluster.Wire;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// The faults a test injects into every <see cref="FaultInjectingTransport"/> sharing it: cut links
/// between named nodes (both directions, checked on send and on receive), isolated nodes, and random
/// drop, duplication, delay and reordering from one seeded <see cref="Random"/> (the seed is in
/// <see cref="Seed"/> so a failing run can be replayed). In the spirit of Akka's
/// <c>TestConductor</c> blackhole/throttle and Jepsen's partitions. Thread-safe.
/// </summary>
public sealed class NetworkFaults
{
    private readonly Lock _gate = new();
    private readonly HashSet<(NodeAddress, NodeAddress)> _cuts = [];
    private readonly HashSet<NodeAddress> _isolated = [];
    private readonly Random _random;

    /// <summary>Faults drawn from <paramref name="seed"/> (null: a random seed, see <see cref="Seed"/>).</summary>
    public NetworkFaults(int? seed = null)
    {
        Seed = seed ?? Random.Shared.Next();
        _random = new Random(Seed);
    }

    /// <summary>The seed of the random faults (print it in a failing test to replay).</summary>
    public int Seed { get; }

    /// <summary>Probability in [0, 1] that a sent envelope is silently lost. Default 0.</summary>
    public double DropProbability { get; set; }

    /// <summary>Probability in [0, 1] that a sent envelope is delivered twice. Default 0.</summary>
    public double DuplicateProbability { get; set; }

    /// <summary>Every envelope is held for a uniform random time in [<see cref="MinDelay"/>, <see cref="MaxDelay"/>] (zero: none).</summary>
    public TimeSpan MinDelay { get; set; }

    /// <summary>Upper bound of the random delay; zero disables delays.</summary>
    public TimeSpan MaxDelay { get; set; }

    /// <summary>Probability in [0, 1] that an envelope is held back (up to <see cref="MaxDelay"/>, or 20 ms) so later ones overtake it.</summary>
    public double ReorderProbability { get; set; }

    /// <summary>Envelopes lost to cuts, isolation or <see cref="DropProbability"/>.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>Cuts the link between <paramref name="a"/> and <paramref name="b"/> in both directions.</summary>
    public void Cut(NodeAddress a, NodeAddress b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        lock (_gate)
        {
            _cuts.Add((a, b));
            _cuts.Add((b, a));
            AssertInvariants();
        }
    }

    /// <summary>Restores the link between <paramref name="a"/> and <paramref name="b"/> (both directions).</summary>
    public void Heal(NodeAddress a, NodeAddress b)
    {
        lock (_gate)
        {
            _cuts.Remove((a, b));
            _cuts.Remove((b, a));
            AssertInvariants();
        }
    }

    /// <summary>Cuts <paramref name="a"/> off from every other node until <see cref="HealAll"/> (or <see cref="Rejoin"/>).</summary>
    public void Isolate(NodeAddress a)
    {
        ArgumentNullException.ThrowIfNull(a);
        lock (_gate)
        {
            _isolated.Add(a);
        }
    }

    /// <summary>Ends the isolation of <paramref name="a"/> (cuts made with <see cref="Cut"/> stay).</summary>
    public void Rejoin(NodeAddress a)
    {
        lock (_gate)
        {
            _isolated.Remove(a);
        }
    }

    /// <summary>Removes every cut and isolation (random faults keep their settings).</summary>
    public void HealAll()
    {
        lock (_gate)
        {
            _cuts.Clear();
            _isolated.Clear();
        }
    }

    /// <summary>True when envelopes from <paramref name="from"/> to <paramref name="to"/> are currently lost.</summary>
    public bool IsCut(NodeAddress from, NodeAddress to)
    {
        lock (_gate)
        {
            return _isolated.Contains(from) || _isolated.Contains(to) || _cuts.Contains((from, to));
        }
    }

    // REQUIRES: any thread. Decides the fate of one envelope: copies to deliver (0, 1, 2) and the delay before delivery.
    internal (int Copies, TimeSpan Delay) Decide(NodeAddress from, NodeAddress to)
    {
        if (IsCut(from, to))
        {
            Interlocked.Increment(ref _dropped);
            return (0, TimeSpan.Zero);
        }

        lock (_gate)
        {
            if (DropProbability > 0 && _random.NextDouble() < DropProbability)
            {
                Interlocked.Increment(ref _dropped);
                return (0, TimeSpan.Zero);
            }

            int copies = DuplicateProbability > 0 && _random.NextDouble() < DuplicateProbability ? 2 : 1;
            TimeSpan delay = TimeSpan.Zero;
            if (MaxDelay > TimeSpan.Zero)
            {
                delay = MinDelay + ((MaxDelay - MinDelay) * _random.NextDouble());
            }

            if (ReorderProbability > 0 && _random.NextDouble() < ReorderProbability)
            {
                TimeSpan hold = MaxDelay > TimeSpan.Zero ? MaxDelay : TimeSpan.FromMilliseconds(20);
                delay += hold * (0.5 + (_random.NextDouble() / 2));
            }

            return (copies, delay);
        }
    }

    // REQUIRES: any thread; counts an envelope lost on receive.
    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_cuts.All(c => _cuts.Contains((c.Item2, c.Item1))), "cuts are symmetric");
    }
}

/// <summary>
/// Decorates any <see cref="ITransport"/> with the faults of a shared <see cref="NetworkFaults"/>:
/// cut links (checked on send and on receive, so both directions go quiet), random drops,
/// duplicates, delays and reordering. Delayed envelopes bypass the per-peer order on purpose.
/// For tests only.
/// </summary>
public sealed class FaultInjectingTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly NetworkFaults _faults;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="faults"/> is usually shared by every node of a test.</summary>
    public FaultInjectingTransport(ITransport inner, NetworkFaults faults)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(faults);
        _inner = inner;
        _faults = faults;
    }

    /// <summary>The shared fault controller.</summary>
    public NetworkFaults Faults => _faults;

    /// <inheritdoc/>
    public NodeAddress LocalAddress => _inner.LocalAddress;

    /// <inheritdoc/>
    public Task StartAsync(UniqueAddress self, ITransportListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return _inner.StartAsync(self, new FilteringListener(this, listener), cancellationToken);
    }

    /// <inheritdoc/>
    public bool TrySend(NodeAddress to, RemoteEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        (int copies, TimeSpan delay) = _faults.Decide(LocalAddress, to);
        if (copies == 0)
        {
            return true; // lost in the network: the sender cannot tell
        }

        if (delay > TimeSpan.Zero)
        {
            _ = DeliverLaterAsync(to, envelope, copies, delay);
            return true;
        }

        bool ok = _inner.TrySend(to, envelope);
        if (copies == 2)
        {
            _inner.TrySend(to, envelope);
        }

        return ok;
    }

    /// <inheritdoc/>
    public async ValueTask SendAsync(NodeAddress to, RemoteEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(envelope);
        (int copies, TimeSpan delay) = _faults.Decide(LocalAddress, to);
        if (delay > TimeSpan.Zero && copies > 0)
        {
            _ = DeliverLaterAsync(to, envelope, copies, delay);
            return;
        }

        for (int i = 0; i < copies; i++)
        {
            await _inner.SendAsync(to, envelope, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _inner.DisposeAsync().ConfigureAwait(false);
    }

    private async Task DeliverLaterAsync(NodeAddress to, RemoteEnvelope envelope, int copies, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false); // injected latency, not synchronization
        }
        catch (OperationCanceledException)
        {
            return;
        }

        for (int i = 0; i < copies; i++)
        {
            _inner.TrySend(to, envelope);
        }
    }

    private sealed class FilteringListener(FaultInjectingTransport owner, ITransportListener inner) : ITransportListener
    {
        public void OnEnvelope(UniqueAddress from, RemoteEnvelope envelope)
        {
            if (owner._faults.IsCut(from.Address, owner.LocalAddress))
            {
                owner._faults.CountDropped();
                return;
            }

            inner.OnEnvelope(from, envelope);
        }

        public void OnAssociated(UniqueAddress peer) => inner.OnAssociated(peer);

        public void OnDisassociated(UniqueAddress peer) => inner.OnDisassociated(peer);
    }
}
