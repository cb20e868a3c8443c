using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.View;
using Microsoft.Extensions.Logging;

namespace ActorLsm.Server.Clustering;

/// <summary>
/// Writes each change of the membership view (a member's status or reachability) and of the
/// singleton's location to the node's log, so an operator can follow joins, failures, downing and
/// hand-overs in <c>data/nodeK.log</c>.
/// </summary>
internal sealed class MembershipLog
{
    private readonly IClusterView _view;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private Dictionary<UniqueAddress, (MemberStatus Status, bool Reachable)> _last = [];
    private UniqueAddress? _lastSingleton;

    private MembershipLog(IClusterView view, ILogger logger)
    {
        _view = view;
        _logger = logger;
    }

    /// <summary>Starts logging changes of <paramref name="view"/> until the process ends.</summary>
    public static void Attach(IClusterView view, ILogger logger)
    {
        var log = new MembershipLog(view, logger);
        view.Changed += log.OnChanged;
        log.OnChanged();
    }

    // REQUIRES: any thread; serialised by _gate.
    private void OnChanged()
    {
        ClusterState state = _view.Membership;
        UniqueAddress? singleton = _view.Singleton;
        lock (_gate)
        {
            var now = state.Members.ToDictionary(m => m.UniqueAddress, m => (m.Status, !state.Unreachable.Contains(m.UniqueAddress)));
            foreach ((UniqueAddress address, (MemberStatus status, bool reachable)) in now)
            {
                if (!_last.TryGetValue(address, out var before) || before != (status, reachable))
                {
                    _logger.LogInformation("member {Address} is {Status}{Reachability}", address, status, reachable ? string.Empty : " (unreachable)");
                }
            }

            foreach (UniqueAddress gone in _last.Keys.Where(a => !now.ContainsKey(a)))
            {
                _logger.LogInformation("member {Address} was removed", gone);
            }

            if (singleton is not null && singleton != _lastSingleton)
            {
                _logger.LogInformation("the version-manager singleton runs on {Address}", singleton);
                _lastSingleton = singleton;
            }

            _last = now;
        }
    }
}
