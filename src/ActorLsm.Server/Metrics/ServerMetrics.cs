using System.Diagnostics;
using System.Diagnostics.Metrics;
using ActorLsm.Server.Dispatch;
using ActorLsm.Shards;

namespace ActorLsm.Server.Metrics;

/// <summary>
/// The node's instruments on one <see cref="Meter"/> named <c>ActorLsm</c> (System.Diagnostics.Metrics,
/// readable with dotnet-counters or an OpenTelemetry exporter):
/// <c>actorlsm.requests</c> (counter; tags op, status), <c>actorlsm.request.duration</c> (histogram, s; tag op),
/// <c>actorlsm.bytes.received</c> / <c>actorlsm.bytes.sent</c> (counters, By; frame headers included),
/// <c>actorlsm.connections</c> (up-down counter), <c>actorlsm.response.flushes</c> (counter; tag loop: <c>read</c>
/// when the connection's read loop wrote the responses that were ready at once, <c>writer</c> when its writer
/// loop wrote responses completed later; responses per flush is the batching a pipelining client gets), and <c>actorlsm.flushes</c>, <c>actorlsm.compactions</c>
/// (observable counters summed over the shards' status, including <c>actorlsm.write.stalls</c>).
/// </summary>
/// <remarks>
/// Observable callbacks cannot wait for the shard actors, so they return the totals of the last
/// status poll and start a new poll when that one is older than <see cref="StatsMaxAge"/>: a reading
/// lags the shards by at most one collection interval.
/// </remarks>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "ActorLsm";

    /// <summary>Age after which a collection triggers a new status poll of the shards.</summary>
    public static readonly TimeSpan StatsMaxAge = TimeSpan.FromSeconds(1);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _responseFlushes;
    private INodeStore? _store;
    private ShardTotals _totals = ShardTotals.Zero;
    private long _polledAt;
    private int _polling;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on an own meter when null.</summary>
    public ServerMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("actorlsm.requests", "{request}", "Requests answered, by op and status (ok or the error code).");
        _duration = _meter.CreateHistogram<double>("actorlsm.request.duration", "s", "Time from a request's arrival to its response, by op.");
        _bytesReceived = _meter.CreateCounter<long>("actorlsm.bytes.received", "By", "Request frame bytes read from clients.");
        _bytesSent = _meter.CreateCounter<long>("actorlsm.bytes.sent", "By", "Response frame bytes written to clients.");
        _connections = _meter.CreateUpDownCounter<long>("actorlsm.connections", "{connection}", "Open client connections.");
        _responseFlushes = _meter.CreateCounter<long>("actorlsm.response.flushes", "{flush}", "Socket flushes of response frames, by the connection loop that wrote them (read or writer).");
        _meter.CreateObservableCounter("actorlsm.flushes", () => Totals().Flushes, "{flush}", "Memtable flushes completed, all shards.");
        _meter.CreateObservableCounter("actorlsm.compactions", () => Totals().Compactions, "{compaction}", "Compactions completed, all shards.");
        _meter.CreateObservableCounter("actorlsm.write.stalls", Stalls, "{stall}", "Write groups slowed down or stopped by L0 or memtable pile-up, all shards.");
    }

    /// <summary>The meter holding every instrument.</summary>
    public Meter Meter => _meter;

    /// <summary>Sets the shards the observable instruments read.</summary>
    public void Attach(INodeStore store) => _store = store;

    public void RequestCompleted(string op, string status, TimeSpan elapsed)
    {
        _requests.Add(1, new KeyValuePair<string, object?>("op", op), new KeyValuePair<string, object?>("status", status));
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("op", op));
    }

    public void BytesReceived(long bytes) => _bytesReceived.Add(bytes);

    public void BytesSent(long bytes) => _bytesSent.Add(bytes);

    /// <summary>One flush of response frames by a connection's read loop (<paramref name="byReadLoop"/>) or its writer loop.</summary>
    public void ResponsesFlushed(bool byReadLoop) => _responseFlushes.Add(1, new KeyValuePair<string, object?>("loop", byReadLoop ? "read" : "writer"));

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    /// <summary>Polls the shards' status now and updates the totals the observable instruments report.</summary>
    public async Task PollShardsAsync(CancellationToken cancellationToken = default)
    {
        if (_store is not { } store)
        {
            return;
        }

        NodeStatus status = await store.StatusAsync(cancellationToken).ConfigureAwait(false);
        long flushes = 0, compactions = 0, stalls = 0;
        foreach (ShardStatusInfo shard in status.Shards)
        {
            flushes += shard.Flushes;
            compactions += shard.Compactions;
            stalls += shard.WriteStalls;
        }

        Volatile.Write(ref _totals, new ShardTotals(flushes, compactions, stalls));
        Volatile.Write(ref _polledAt, Stopwatch.GetTimestamp());
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private long Stalls() => Totals().Stalls;

    private ShardTotals Totals()
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _polledAt)) > StatsMaxAge && Interlocked.CompareExchange(ref _polling, 1, 0) == 0)
        {
            _ = PollInBackgroundAsync();
        }

        return Volatile.Read(ref _totals);
    }

    private async Task PollInBackgroundAsync()
    {
        try
        {
            await PollShardsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A shard that cannot answer now leaves the previous totals in place.
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private sealed record ShardTotals(long Flushes, long Compactions, long Stalls)
    {
        public static readonly ShardTotals Zero = new(0, 0, 0);
    }
}
