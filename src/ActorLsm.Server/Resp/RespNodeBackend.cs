using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ActorLsm.Cluster;
using ActorLsm.Cluster.Hosting;
using ActorLsm.Cluster.Sharding;
using ActorLsm.Cluster.View;
using ActorLsm.Hosting.Ownership;
using ActorLsm.Protocol;
using ActorLsm.Resp;
using ActorLsm.Server.Clustering;
using ActorLsm.Server.Dispatch;
using ActorLsm.Shards;

namespace ActorLsm.Server.Resp;

/// <summary>
/// The node as the RESP front end sees it: the shards (<see cref="INodeStore"/>) and, in cluster mode, the
/// cached shard map (<see cref="ClusterRole.Ownership"/>) for routing and the CLUSTER commands. A slot this
/// node does not lead gets <c>MOVED slot host:port</c> naming the leader's RESP endpoint (the member role
/// <c>actorlsm-resp:HOST:PORT</c>); a slot whose shard has no available leader, or a leader this node's
/// failure detector no longer hears (a failover under way), gets a transient <c>TRYAGAIN</c>, which the session
/// waits out for a while (<see cref="TopologyChanged"/>) before answering it.
/// </summary>
internal sealed class RespNodeBackend : IRespBackend
{
    private readonly INodeStore _store;
    private readonly ClusterRole _role;
    private readonly Lock _changedLock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IClusterView? _subscribed;

    public RespNodeBackend(INodeStore store, ClusterRole role)
    {
        _store = store;
        _role = role;
    }

    public int ShardCount => _store.ShardCount;

    public int MaxScanLimit => _store.MaxScanLimit;

    public bool ClusterEnabled => _role.Clustered;

    public RespRedirect? Route(int slot)
    {
        if (!_role.Clustered)
        {
            return null;
        }

        IClusterView? view = _role.Ownership?.View;
        ShardMap? map = view?.ShardMap;
        if (view is null || map is null)
        {
            return new RespRedirect("CLUSTERDOWN The cluster is down", Transient: true);
        }

        int shard = ShardHash.ShardOfSlot(slot, map.ShardCount);
        ShardAssignment a = map[shard];
        if (!a.Available || a.Leader is null)
        {
            return new RespRedirect($"TRYAGAIN shard {shard} (slot {slot}) has no available leader; retry", Transient: true);
        }

        if (a.Leader == view.SelfAddress.Address)
        {
            return null;
        }

        ClusterState membership = view.Membership;
        Member? leader = membership.Members.FirstOrDefault(m => m.Address == a.Leader);
        if (leader is not null && membership.Unreachable.Contains(leader.UniqueAddress))
        {
            // A MOVED to a node that is likely dead sends the client to a refused connection; the
            // version manager will elect another leader (or the node comes back).
            return new RespRedirect($"TRYAGAIN the leader of shard {shard} (slot {slot}) is unreachable; retry", Transient: true);
        }

        string endpoint = leader?.RespEndpoint ?? string.Empty;
        return endpoint.Length == 0
            ? new RespRedirect($"TRYAGAIN the leader of shard {shard} (slot {slot}) publishes no RESP endpoint yet; retry", Transient: true)
            : new RespRedirect(string.Create(CultureInfo.InvariantCulture, $"MOVED {slot} {endpoint}"));
    }

    public Task? TopologyChanged
    {
        get
        {
            if (!_role.Clustered)
            {
                return null;
            }

            IClusterView? view = _role.Ownership?.View;
            if (view is null)
            {
                // The cluster side has not started: look again shortly.
                return Task.Delay(100);
            }

            lock (_changedLock)
            {
                if (!ReferenceEquals(view, _subscribed))
                {
                    view.Changed += OnViewChanged;
                    _subscribed = view;
                }

                return _changed.Task;
            }
        }
    }

    // Raised on a cluster thread: completes the waiters' task and hands out a fresh one.
    private void OnViewChanged()
    {
        TaskCompletionSource done;
        lock (_changedLock)
        {
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken) => _store.GetAsync(key, cancellationToken);

    public IReadOnlyList<Task<byte[]?>> GetMany(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        // One request per shard (a shard serves them as one read); a shard with one key gets a plain get. A
        // shard's failure fails only its keys' reads.
        var reads = new Task<byte[]?>[keys.Count];
        var byShard = new Dictionary<int, List<int>>();
        for (int i = 0; i < keys.Count; i++)
        {
            int shard = ShardHash.ShardOf(keys[i], _store.ShardCount);
            if (!byShard.TryGetValue(shard, out List<int>? positions))
            {
                byShard[shard] = positions = [];
            }

            positions.Add(i);
        }

        foreach (List<int> positions in byShard.Values)
        {
            if (positions.Count == 1)
            {
                reads[positions[0]] = GetOne(keys[positions[0]], cancellationToken);
                continue;
            }

            Task<Task<byte[]?>[]> shard = ReadShardAsync([.. positions.Select(p => keys[p])], cancellationToken);
            if (shard.IsCompletedSuccessfully)
            {
                // Read at once (an unreplicated shard's gets run on this thread): no continuation per key.
                Task<byte[]?>[] each = shard.Result;
                for (int j = 0; j < positions.Count; j++)
                {
                    reads[positions[j]] = each[j];
                }

                continue;
            }

            for (int j = 0; j < positions.Count; j++)
            {
                reads[positions[j]] = PickAsync(shard, j);
            }
        }

        return reads;
    }

    private Task<byte[]?> GetOne(byte[] key, CancellationToken cancellationToken)
    {
        try
        {
            return _store.GetAsync(key, cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Task.FromException<byte[]?>(ex);
        }
    }

    // REQUIRES: every key is of one shard. Each key's read, from one multi-get. A multi-get refused for its
    // arguments (a key over the limit: one key's fault, found before the shard is asked) is read again key by
    // key, so that only the bad key's read fails. Any other failure (the shard cannot answer) concerns every
    // key and fails the returned task.
    private async Task<Task<byte[]?>[]> ReadShardAsync(byte[][] keys, CancellationToken cancellationToken)
    {
        try
        {
            byte[]?[] values = await _store.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
            return [.. values.Select(Task.FromResult)];
        }
        catch (ArgumentException)
        {
            return [.. keys.Select(k => GetOne(k, cancellationToken))];
        }
    }

    private static async Task<byte[]?> PickAsync(Task<Task<byte[]?>[]> shard, int index) =>
        await (await shard.ConfigureAwait(false))[index].ConfigureAwait(false);

    public Task WriteAsync(IReadOnlyList<RespWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Any(w => w.KeepTtl && w.Value is not null))
        {
            return WriteKeepingTtlAsync(writes, cancellationToken);
        }

        if (writes.Count == 1)
        {
            RespWrite w = writes[0];
            return w.Value is null ? _store.DeleteAsync(w.Key, cancellationToken) : _store.PutAsync(w.Key, w.Value, cancellationToken);
        }

        var ops = new BatchOperation[writes.Count];
        for (int i = 0; i < ops.Length; i++)
        {
            ops[i] = new BatchOperation(writes[i].Key, writes[i].Value);
        }

        return _store.BatchAsync(ops, cancellationToken);
    }

    // One update at the shard: the puts that keep their key's expiry read it there, with no write in between.
    private Task WriteKeepingTtlAsync(IReadOnlyList<RespWrite> writes, CancellationToken cancellationToken)
    {
        // REQUIRES (of the shard's update): distinct keys. A command's writes are few; a linear search will do.
        var keys = new List<byte[]>(writes.Count);
        var index = new int[writes.Count];
        for (int i = 0; i < writes.Count; i++)
        {
            int at = keys.FindIndex(k => k.AsSpan().SequenceEqual(writes[i].Key));
            if (at < 0)
            {
                at = keys.Count;
                keys.Add(writes[i].Key);
            }

            index[i] = at;
        }

        return _store.UpdateAsync(keys, (current, _) =>
        {
            var ops = new BatchOperation[writes.Count];
            for (int i = 0; i < ops.Length; i++)
            {
                RespWrite w = writes[i];
                DateTimeOffset? keep = w.KeepTtl && current[index[i]] is { } found ? found.ExpiresAt : null;
                ops[i] = new BatchOperation(w.Key, w.Value, keep);
            }

            return new UpdateDecision(ops, null);
        }, cancellationToken);
    }

    public async Task<(IReadOnlyList<KeyValuePair<byte[], byte[]>> Entries, bool Truncated)> ScanAsync(byte[]? start, int limit, CancellationToken cancellationToken)
    {
        if (!_role.Clustered)
        {
            return await _store.ScanAsync(start, null, limit, false, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<int> served = _role.Ownership?.ServedShards() ?? [];
        return served.Count == 0
            ? ([], false)
            : await _store.ScanShardsAsync(start, null, limit, false, served, cancellationToken).ConfigureAwait(false);
    }

    public RespTopology? Topology
    {
        get
        {
            if (!_role.Clustered)
            {
                return null;
            }

            IClusterView? view = _role.Ownership?.View;
            if (view is null)
            {
                var self = new RespNode(NodeId(_role.Self), string.Empty, 0, 0, true);
                return new RespTopology(self, [self], [], 0, false);
            }

            ClusterState membership = view.Membership;
            RespNode NodeFor(NodeAddress address)
            {
                Member? m = membership.Members.FirstOrDefault(x => x.Address == address);
                (string host, int port) = m is not null && m.RespEndpoint.Length > 0 ? Split(m.RespEndpoint) : (address.Host, 0);
                bool connected = m is not null && !membership.Unreachable.Contains(m.UniqueAddress) && m.Status is MemberStatus.Up or MemberStatus.Leaving;
                return new RespNode(NodeId(address.Host + ":" + address.Port.ToString(CultureInfo.InvariantCulture)), host, port, address.Port, connected);
            }

            ShardMap? map = view.ShardMap;
            var shards = new List<RespShard>();
            if (map is not null)
            {
                foreach (ShardAssignment a in map.Shards)
                {
                    (int first, int end) = ShardHash.SlotRange(a.Id, map.ShardCount);
                    RespNode? leader = a.Available && a.Leader is not null ? NodeFor(a.Leader) : null;
                    shards.Add(new RespShard(a.Id, first, end - 1, leader, [.. a.Followers.Select(NodeFor)]));
                }
            }

            RespNode[] nodes = [.. membership.Members.Where(m => m.Status != MemberStatus.Removed).Select(m => NodeFor(m.Address))];
            RespNode me = NodeFor(view.SelfAddress.Address);
            if (!nodes.Any(n => n.Id == me.Id))
            {
                nodes = [me, .. nodes];
            }

            bool ok = map is not null && map.Shards.All(a => a.Available && a.Leader is not null);
            return new RespTopology(me, nodes, shards, map?.Version ?? 0, ok);
        }
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> InfoAsync(CancellationToken cancellationToken)
    {
        NodeStatus status = await _store.StatusAsync(cancellationToken).ConfigureAwait(false);
        static KeyValuePair<string, string> P(string k, long v) => new(k, v.ToString(CultureInfo.InvariantCulture));
        IReadOnlyList<int> served = _role.Clustered ? _role.Ownership?.ServedShards() ?? [] : [.. Enumerable.Range(0, status.ShardCount)];
        return new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.Ordinal)
        {
            ["persistence"] =
            [
                P("actorlsm_shards", status.ShardCount),
                P("actorlsm_flushes", status.Shards.Sum(s => s.Flushes)),
                P("actorlsm_compactions", status.Shards.Sum(s => s.Compactions)),
                P("actorlsm_memtable_bytes", status.Shards.Sum(s => s.MemTableBytes)),
                P("actorlsm_sstable_bytes", status.Shards.Sum(s => s.LevelBytes.Sum())),
            ],
            ["replication"] =
            [
                P("actorlsm_shards_led", served.Count),
                P("master_repl_offset", (long)Math.Min(long.MaxValue, status.Shards.Aggregate(0UL, (sum, s) => sum + s.LastSequence))),
            ],
        };
    }

    public string? ClassifyError(Exception error) => error switch
    {
        ShardUnavailableException => "TRYAGAIN " + error.Message,
        NotEnoughReplicasException => "NOREPLICAS Not enough good replicas to write.",
        OverloadedException => "ERR overloaded, retry later: " + error.Message,
        ArgumentException => "ERR " + error.Message,
        _ => null,
    };

    /// <summary>A stable 40-hex-digit Redis node id for a node's remoting address.</summary>
    internal static string NodeId(string address) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(address)));

    private static (string Host, int Port) Split(string endpoint)
    {
        NodeAddress a = NodeAddress.Parse(endpoint);
        return (a.Host, a.Port);
    }
}
