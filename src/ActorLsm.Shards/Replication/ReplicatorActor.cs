using System.Diagnostics;
using ActorLsm.Protocol.Replication;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Event;
using Google.Protobuf;

namespace ActorLsm.Shards.Replication;

/// <summary>
/// Streams a leader shard's WAL records to one follower (child of the leader's shard actor, one
/// per follower; PROTOCOL.md "Replication"). Probes the follower (which truncates any divergent
/// suffix, R5), then sends records from where the follower's log ends: from the leader's recent
/// records in memory, else from its WAL files, else, when the WAL was already flushed and deleted,
/// a snapshot of the leader's SSTables (a checkpoint) followed by the WAL after it. Keeps at most
/// MaxInflightBytes in flight; heartbeats when idle; probes again after ResendTimeout without an
/// answer or on any gap. Acknowledgements go to the parent as <see cref="FollowerAcked"/>.
/// Every message to the follower's shard actor (an Akka ref, usually remote) is bounded by
/// <see cref="ShardReplicationOptions.MaxMessageBytes"/>: appends carry whole WAL records up to that
/// many bytes; a larger record goes in fragments of at most that size, at most two in flight, each
/// acknowledged on arrival (R14); snapshot files go in pieces of at most that size, one piece in
/// flight. So heartbeats (Akka's and ours) queue behind at most a few such frames, never a huge one.
/// </summary>
internal sealed class ReplicatorActor : ReceiveActor, IWithTimers
{
    private const string TickKey = "tick";
    private readonly int _shard;
    private readonly string _self;
    private readonly long _epoch;
    private readonly string _follower;
    private readonly IActorRef _followerShard;
    private readonly LsmStore _store;
    private readonly ReplicationLog _log;
    private readonly IReadOnlyList<(long Epoch, ulong Start)> _epochs;
    private readonly ShardReplicationOptions _options;
    private readonly Queue<(ulong Last, long Bytes)> _inflight = new();
    private long _inflightBytes;
    private ulong _next;
    private ulong _leaderLast;
    private ulong _highWatermark;
    private bool _probing;
    private ulong _probeId;
    private long _lastSendTicks;
    private long _lastHeardTicks;
    private SnapshotSend? _snapshot;
    private FragmentSend? _fragment;

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    private ILoggingAdapter Log { get; } = Context.GetLogger();

    /// <summary>Props of a replicator on <paramref name="dispatcher"/> (the shard's I/O dispatcher: it reads WAL and snapshot files).</summary>
    public static Props Props(int shard, long epoch, string self, ReplicaPeer follower, LsmStore store, ReplicationLog log, IReadOnlyList<(long, ulong)> epochs, ShardReplicationOptions options, string dispatcher, ulong leaderLast) =>
        Akka.Actor.Props.Create(() => new ReplicatorActor(shard, epoch, self, follower, store, log, epochs, options, leaderLast)).WithDispatcher(dispatcher);

    // REQUIRES: created by a leader shard actor; epochs already hold this leader's epoch; leaderLast is
    // the leader's log end as shipped (LeaderState.LocalWritten, R12), at least the store's last sequence.
    public ReplicatorActor(int shard, long epoch, string self, ReplicaPeer follower, LsmStore store, ReplicationLog log, IReadOnlyList<(long, ulong)> epochs, ShardReplicationOptions options, ulong leaderLast)
    {
        _shard = shard;
        _self = self;
        _epoch = epoch;
        _follower = follower.Node;
        _followerShard = follower.Shard;
        _store = store;
        _log = log;
        _epochs = epochs;
        _options = options;
        _leaderLast = Math.Max(leaderLast, store.LastSequence);
        Receive<ReplicaState>(OnState);
        Receive<AppendAck>(OnAck);
        Receive<RecordsAvailable>(OnRecordsAvailable);
        Receive<CheckpointReady>(OnCheckpointReady);
        Receive<SnapshotChunkAck>(OnChunkAck);
        Receive<Tick>(_ => OnTick());
    }

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Probe();
        Timers.StartPeriodicTimer(TickKey, Tick.Instance, _options.HeartbeatInterval);
    }

    /// <inheritdoc/>
    protected override void PostStop() => _snapshot?.Dispose();

    private void Probe()
    {
        _probing = true;
        _inflight.Clear();
        _inflightBytes = 0;
        _snapshot?.Dispose();
        _snapshot = null;
        _fragment = null;
        // The leader's log end as shipped, not only as synced (R12): a group this leader is still syncing
        // is part of its log, and a follower that already has it must not truncate it (an acknowledgement of
        // it may count for the high watermark as soon as the leader's sync ends).
        _leaderLast = Math.Max(_leaderLast, _store.LastSequence);
        var probe = new ReplicaProbe { Shard = _shard, LeaderEpoch = _epoch, LeaderNode = _self, LastSequence = _leaderLast, ProbeId = ++_probeId };
        foreach ((long e, ulong start) in _epochs)
        {
            probe.Epochs.Add(new EpochEntry { Epoch = e, StartSequence = start });
        }

        Send(probe);
    }

    private void OnState(ReplicaState state)
    {
        if (state.LeaderEpoch != _epoch && !state.Rejected)
        {
            return; // an answer to an older leadership's probe
        }

        bool snapshotInstalled = state.ProbeId == 0 && _snapshot?.Directory is not null;
        if (!state.Rejected && !snapshotInstalled && (!_probing || state.ProbeId != _probeId))
        {
            return; // an answer to an earlier probe (probes repeat while a follower is silent)
        }

        Heard();
        if (state.Rejected)
        {
            Context.Parent.Tell(new FollowerRejected(_follower, state.LeaderEpoch), Self);
            return;
        }

        _probing = false;
        _next = state.LastSequence + 1;
        _snapshot?.Dispose();
        _snapshot = null;
        if (state.NeedsSnapshot)
        {
            StartSnapshot();
            return;
        }

        Context.Parent.Tell(new FollowerAcked(_follower, state.LastSequence, state.LastSequence >= _leaderLast ? Stopwatch.GetTimestamp() : 0), Self);
        Pump();
    }

    private void OnAck(AppendAck ack)
    {
        if (ack.LeaderEpoch != _epoch && !ack.Rejected)
        {
            return;
        }

        Heard();
        if (ack.Rejected)
        {
            Context.Parent.Tell(new FollowerRejected(_follower, ack.LeaderEpoch), Self);
            return;
        }

        if (!ack.Ok)
        {
            Probe(); // a gap (lost or reordered appends, or a restarted follower): find where its log ends
            return;
        }

        if (ack.FragmentSequence != 0)
        {
            // R14: the follower holds part of a record; nothing is acknowledged, more pieces may go.
            if (_fragment is { } f && f.Record.FirstSequence == ack.FragmentSequence)
            {
                f.Acked = Math.Max(f.Acked, (int)ack.FragmentReceived);
                Pump();
            }

            return;
        }

        while (_inflight.Count > 0 && _inflight.Peek().Last <= ack.LastSequence)
        {
            _inflightBytes -= _inflight.Dequeue().Bytes;
        }

        long caughtUp = ack.LastSequence >= ack.LeaderLastSequence ? ack.SentTicks : 0;
        Context.Parent.Tell(new FollowerAcked(_follower, ack.LastSequence, caughtUp, ack.SentTicks), Self);
        Pump();
    }

    private void OnRecordsAvailable(RecordsAvailable available)
    {
        _leaderLast = Math.Max(_leaderLast, available.LeaderLast);
        _highWatermark = Math.Max(_highWatermark, available.HighWatermark);
        Pump();
    }

    private void Pump()
    {
        if (_probing || _snapshot is not null)
        {
            return;
        }

        while (_inflightBytes < _options.MaxInflightBytes && _next <= _leaderLast)
        {
            if (_fragment is not null)
            {
                if (!SendFragments())
                {
                    return; // the fragment window is full: the next fragment acknowledgement pumps again
                }

                continue;
            }

            IReadOnlyList<LogRecord>? records = _log.TryRead(_next, _options.MaxMessageBytes) ?? ReadWal(_next);
            if (records is null)
            {
                StartSnapshot();
                return;
            }

            if (records.Count == 0)
            {
                break;
            }

            if (records[0].Payload.Length > _options.MaxMessageBytes)
            {
                // R14: too large for one message (a read returns such a record alone): send it in pieces.
                _fragment = new FragmentSend(records[0], LeaderEpochCache.EpochOf(_epochs, records[0].FirstSequence));
                continue;
            }

            var append = NewAppend();
            long bytes = 0;
            foreach (LogRecord r in records)
            {
                append.Records.Add(new ReplicatedRecord
                {
                    FirstSequence = r.FirstSequence,
                    Count = (uint)r.Count,
                    Epoch = LeaderEpochCache.EpochOf(_epochs, r.FirstSequence),
                    Batch = UnsafeByteOperations.UnsafeWrap(r.Payload), // log payloads are never written after they are made (LogRecord)
                });
                bytes += r.Payload.Length;
            }

            LogRecord lastRecord = records[^1];
            ulong last = lastRecord.FirstSequence + (ulong)lastRecord.Count - 1;
            _leaderLast = Math.Max(_leaderLast, last);
            append.LeaderLastSequence = _leaderLast;
            Send(append);
            _inflight.Enqueue((last, bytes));
            _inflightBytes += bytes;
            _next = last + 1;
        }
    }

    /// <summary>
    /// REQUIRES: called on the replicator with <see cref="_fragment"/> set and <see cref="_next"/> its
    /// record's first sequence. Sends the record's next pieces (R14) while at most the fragment window
    /// is unacknowledged. True when the last piece went out: the record is then in flight like any
    /// other (acknowledged by the follower's ordinary ack once durable, R1) and <see cref="_next"/>
    /// moves past it; false when the window is full.
    /// </summary>
    private bool SendFragments()
    {
        FragmentSend f = _fragment!;
        byte[] payload = f.Record.Payload;
        ulong last = f.Record.FirstSequence + (ulong)f.Record.Count - 1;
        _leaderLast = Math.Max(_leaderLast, last);
        long window = Math.Max(_options.MaxMessageBytes, Math.Min(_options.MaxInflightBytes, 2L * _options.MaxMessageBytes));
        while (f.Sent < payload.Length)
        {
            if (f.Sent - f.Acked >= window)
            {
                return false;
            }

            int n = Math.Min(_options.MaxMessageBytes, payload.Length - f.Sent);
            var append = NewAppend();
            append.Fragment = new RecordFragment
            {
                FirstSequence = f.Record.FirstSequence,
                Count = (uint)f.Record.Count,
                Epoch = f.Epoch,
                TotalLength = (uint)payload.Length,
                Offset = (uint)f.Sent,
                Data = UnsafeByteOperations.UnsafeWrap(payload.AsMemory(f.Sent, n)), // as above: no copy of the record per piece and follower
            };
            f.Sent += n;
            Send(append);
        }

        _inflight.Enqueue((last, payload.Length));
        _inflightBytes += payload.Length;
        _next = last + 1;
        _fragment = null;
        return true;
    }

    private IReadOnlyList<LogRecord>? ReadWal(ulong from)
    {
        if (from > _store.LastSequence)
        {
            return []; // R12: shipped from memory at commit start, not yet in the store: sent when the next RecordsAvailable comes
        }

        try
        {
            return _store.ReadLog(from, _options.MaxMessageBytes);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or CorruptionException or ArgumentOutOfRangeException)
        {
            Log.Warning(e, "shard {Shard}: reading the WAL for follower {Follower} failed; sending a snapshot", _shard, _follower);
            return null;
        }
    }

    private AppendRecords NewAppend() => new()
    {
        Shard = _shard,
        LeaderEpoch = _epoch,
        PrevSequence = _next - 1,
        CommitSequence = Math.Max(_highWatermark, _log.HighWatermark),
        SentTicks = Stopwatch.GetTimestamp(),
        LeaderLastSequence = _leaderLast,
    };

    private void OnTick()
    {
        long now = Stopwatch.GetTimestamp();
        bool silent = Stopwatch.GetElapsedTime(Math.Max(_lastHeardTicks, _lastSendTicks), now) > _options.ResendTimeout
            && Stopwatch.GetElapsedTime(_lastHeardTicks, now) > _options.ResendTimeout;
        if (_probing || _inflight.Count > 0 || _snapshot is not null || _fragment is not null)
        {
            if (silent)
            {
                Probe(); // lost message, restarted follower, or a stalled snapshot: start over
            }

            return;
        }

        long sent = _lastSendTicks;
        Pump(); // anything shipped that the last pump could not yet read
        if (_lastSendTicks == sent)
        {
            Send(NewAppend()); // heartbeat: carries the high watermark, keeps the follower caught up
        }
    }

    private void Send(object message)
    {
        _lastSendTicks = Stopwatch.GetTimestamp();
        _followerShard.Tell(message, Self);
    }

    private void Heard() => _lastHeardTicks = Stopwatch.GetTimestamp();

    private void StartSnapshot()
    {
        Log.Info("shard {Shard}: follower {Follower} needs sequence {Next}, which the leader's WAL no longer has; sending a snapshot", _shard, _follower, _next);
        _snapshot = new SnapshotSend();
        _inflight.Clear();
        _inflightBytes = 0;
        Context.Parent.Tell(new CheckpointRequest(Self), Self);
    }

    private void OnCheckpointReady(CheckpointReady ready)
    {
        if (_snapshot is null || _snapshot.Directory is not null)
        {
            DeleteQuietly(ready.Directory);
            return;
        }

        if (ready.Directory is null)
        {
            Log.Warning("shard {Shard}: checkpoint for follower {Follower} failed: {Error}", _shard, _follower, ready.Error);
            _snapshot = null;
            Probe();
            return;
        }

        _snapshot.Directory = ready.Directory;
        _snapshot.Sequence = ready.Sequence;
        _snapshot.Id = Guid.NewGuid().ToString("N");
        var begin = new SnapshotBegin { Shard = _shard, LeaderEpoch = _epoch, SnapshotSequence = ready.Sequence, SnapshotId = _snapshot.Id };
        foreach ((long e, ulong start) in ready.Epochs)
        {
            begin.Epochs.Add(new EpochEntry { Epoch = e, StartSequence = start });
        }

        foreach (string path in Directory.GetFiles(ready.Directory).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            begin.Files.Add(new SnapshotFile { Name = info.Name, Size = (ulong)info.Length });
            _snapshot.Files.Enqueue(info.Name);
        }

        Send(begin);
        SendNextChunk();
    }

    private void OnChunkAck(SnapshotChunkAck ack)
    {
        if (_snapshot is null || ack.SnapshotId != _snapshot.Id || ack.LeaderEpoch != _epoch)
        {
            return;
        }

        Heard();
        if (!ack.Ok)
        {
            Probe();
            return;
        }

        SendNextChunk();
    }

    // Sends the next piece (one in flight at a time), or SnapshotEnd after the last; the follower's
    // ReplicaState after installing it resumes the WAL stream from the snapshot's sequence.
    private void SendNextChunk()
    {
        SnapshotSend s = _snapshot!;
        while (true)
        {
            if (s.Current is null)
            {
                if (!s.Files.TryDequeue(out string? name))
                {
                    Send(new SnapshotEnd { Shard = _shard, LeaderEpoch = _epoch, SnapshotId = s.Id });
                    return;
                }

                s.Current = File.OpenRead(Path.Combine(s.Directory!, name));
                s.CurrentName = name;
            }

            var buffer = new byte[Math.Min(_options.SnapshotChunkSize, _options.MaxMessageBytes)];
            long offset = s.Current.Position;
            int n = s.Current.Read(buffer);
            if (n == 0 && offset > 0)
            {
                s.Current.Dispose();
                s.Current = null;
                continue;
            }

            Send(new SnapshotChunk { Shard = _shard, LeaderEpoch = _epoch, SnapshotId = s.Id, File = s.CurrentName, Offset = (ulong)offset, Data = ByteString.CopyFrom(buffer, 0, n) });
            if (n == 0)
            {
                s.Current.Dispose();
                s.Current = null;
            }

            return;
        }
    }

    private static void DeleteQuietly(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover checkpoint is removed when the shard next opens.
        }
    }

    /// <summary>A record larger than MaxMessageBytes being sent in pieces (R14): bytes sent, and bytes the follower said it holds.</summary>
    private sealed class FragmentSend(LogRecord record, long epoch)
    {
        public LogRecord Record { get; } = record;

        public long Epoch { get; } = epoch;

        public int Sent { get; set; }

        public int Acked { get; set; }
    }

    private sealed class SnapshotSend : IDisposable
    {
        public string? Directory { get; set; }

        public ulong Sequence { get; set; }

        public string Id { get; set; } = string.Empty;

        public Queue<string> Files { get; } = new();

        public FileStream? Current { get; set; }

        public string CurrentName { get; set; } = string.Empty;

        public void Dispose()
        {
            Current?.Dispose();
            Current = null;
            DeleteQuietly(Directory);
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
