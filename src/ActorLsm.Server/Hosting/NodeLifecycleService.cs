using ActorLsm.Server.Connections;
using ActorLsm.Server.Dispatch;
using ActorLsm.Server.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Hosting;

/// <summary>
/// The node's shards in the host's start and stop order. The server registers it after <c>AddAkka</c>;
/// hosted services start in registration order and stop in reverse, and <c>WebApplicationBuilder</c>
/// adds Kestrel's service last, so:
/// <list type="bullet">
/// <item>start: Akka.Hosting starts the actor system and the member (shards, router, cluster side), then
/// this service hands the shards to the connection handlers (or fails the host's start with the member's
/// start error, before anything listens), then Kestrel binds the listeners;</item>
/// <item>stop: Kestrel stops accepting and closes the connections, then this service waits for the
/// requests in flight to be answered (up to the drain deadline) and closes the shards (the member's stop:
/// replication glue, router, cluster actors, shards), then Akka.Hosting runs coordinated shutdown.</item>
/// </list>
/// </summary>
internal sealed class NodeLifecycleService : IHostedService
{
    private readonly Func<CancellationToken, Task<INodeStore>> _open;
    private readonly Action<INodeStore> _opened;
    private readonly Func<Task>? _close;
    private readonly InFlightRequests _inFlight;
    private readonly ILogger _logger;
    private DateTime _drainDeadline = DateTime.MinValue;
    private int _skipDrain;

    /// <summary>
    /// <paramref name="open"/> gives the node's shards once the actor system runs (or throws why they did
    /// not start); <paramref name="opened"/> is told them before the listeners bind; <paramref name="close"/>
    /// (null: the server closes a test's store itself) closes them after the drain.
    /// </summary>
    public NodeLifecycleService(
        Func<CancellationToken, Task<INodeStore>> open, Action<INodeStore> opened, Func<Task>? close, InFlightRequests inFlight, ServerMetrics metrics, ILogger logger)
    {
        _open = open;
        _close = close;
        _opened = opened + metrics.Attach;
        _inFlight = inFlight;
        _logger = logger;
    }

    /// <summary>True when the last stop answered every request in flight before the deadline.</summary>
    public bool Drained { get; private set; } = true;

    /// <summary>REQUIRES: set before the host stops. Until then the drain waits for nothing.</summary>
    public void DrainUntil(DateTime deadlineUtc) => _drainDeadline = deadlineUtc;

    /// <summary>A simulated crash or a failed start: the stop neither drains nor closes (the server does what is needed).</summary>
    public void SkipDrain() => Interlocked.Exchange(ref _skipDrain, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        INodeStore store = await _open(cancellationToken).ConfigureAwait(false);
        _opened(store);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _skipDrain) != 0)
        {
            Drained = false;
            return;
        }

        TimeSpan left = _drainDeadline - DateTime.UtcNow;
        Drained = await _inFlight.WaitIdleAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        if (!Drained)
        {
            _logger.LogWarning("{InFlight} requests still in flight at the shutdown timeout; closing the shards anyway", _inFlight.Count);
        }

        _logger.LogInformation("connections closed; closing the shards");
        if (_close is not null)
        {
            await _close().ConfigureAwait(false);
        }
    }
}
