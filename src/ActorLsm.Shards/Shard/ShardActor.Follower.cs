using System.Diagnostics;
using ActorLsm.Protocol.Replication;
using ActorLsm.Shards.Layout;
using ActorLsm.Shards.Replication;
using ActorLsm.Storage;
using Akka.Actor;
using Akka.Event;
using Google.Protobuf;

namespace ActorLsm.Shards.Shard;

/// <summary>
/// The follower side of replication (src/ActorLsm.Cluster/PROTOCOL.md). A probe from a leader of
/// an epoch at least the newest this replica knows makes it follow that leader: it truncates any
/// suffix the leader lacks, found from both leader-epoch caches (KIP-101, R5), in place when the
/// suffix is still only in the WAL, else it asks for a snapshot and keeps its store until the
/// snapshot is installed. Appends continue its log exactly (contiguous sequences) and are
/// acknowledged after the WAL sync (R1). Messages of an older epoch are refused (R4).
/// </summary>
internal sealed partial class ShardActor
{
    private long _knownEpoch;
    private long _probedEpoch = -1;
    private bool _awaitingSnapshot;
    private ulong _followerCommit;
    private FollowerAppend? _appendInFlight;
    private RecordAssembly? _assembly;
    private SnapshotReceive? _incoming;

    // R10: appends and probes of a newer leader that wait for the support fence (the last
    // acknowledgement is in ShardHandle.LastSupport, which survives a restart of this actor).
    private readonly List<(object Message, IActorRef Sender)> _fenced = [];

    private long KnownEpoch => Math.Max(_knownEpoch, _role?.Epoch ?? 0);

    /// <summary>This node's name as the latest role gave it (empty before any role).</summary>
    private string SelfName => _role?.Self ?? _handle.Role?.Self ?? string.Empty;

    /// <summary>
    /// REQUIRES: called on the shard actor. R10: true (and <paramref name="message"/> is redelivered,
    /// with its sender, once the fence has passed) when a leader of an epoch newer than the last one
    /// this replica acknowledged asks for support within 1.1 x the read lease of that
    /// acknowledgement, when the old leader may still serve reads on the lease this replica granted.
    /// </summary>
    private bool DefersNewerLeader(long epoch, object message)
    {
        TimeSpan left = SupportFenceLeft(epoch);
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        _fenced.Add((message, Sender));
        if (!Timers.IsTimerActive(SupportFenceTimerKey))
        {
            Timers.StartSingleTimer(SupportFenceTimerKey, SupportFencePassed.Instance, left);
        }

        return true;
    }

    /// <summary>REQUIRES: called on the shard actor when the support fence timer fires: redelivers the deferred messages in order, with their senders.</summary>
    private void OnSupportFencePassed()
    {
        List<(object Message, IActorRef Sender)> fenced = [.. _fenced];
        _fenced.Clear();
        foreach ((object message, IActorRef sender) in fenced)
        {
            Self.Tell(message, sender);
        }
    }

    /// <summary>REQUIRES: called on the shard actor. How long this replica must still wait before it supports (or becomes) a leader of <paramref name="epoch"/> (R10); zero or less = now.</summary>
    private TimeSpan SupportFenceLeft(long epoch) =>
        Replication is { } options && _handle.LastSupport is { Ticks: not 0 } last && epoch > last.Epoch
            ? options.SupportFence - Stopwatch.GetElapsedTime(last.Ticks)
            : TimeSpan.Zero;

    private void OnProbe(ReplicaProbe probe)
    {
        if (probe.LeaderEpoch >= KnownEpoch && DefersNewerLeader(probe.LeaderEpoch, probe))
        {
            return;
        }

        if (probe.LeaderEpoch < KnownEpoch || (_leader is { } l && l.Epoch >= probe.LeaderEpoch) || Replication is null)
        {
            Sender.Tell(new ReplicaState { Shard = Id, LeaderEpoch = KnownEpoch, Node = SelfName, Rejected = true, LastSequence = Store.LastSequence });
            return;
        }

        if (_leader is not null || _role is not FollowerRole { } f || f.Epoch < probe.LeaderEpoch)
        {
            StepDown($"the leader of epoch {probe.LeaderEpoch} ({probe.LeaderNode}) probed it");
            _role = new FollowerRole(probe.LeaderEpoch, SelfName, probe.LeaderNode); // until the shard map says so too
        }

        _knownEpoch = probe.LeaderEpoch;
        _probedEpoch = probe.LeaderEpoch;
        _assembly = null; // R14: the leader starts again from where this log ends
        DropIncomingSnapshot();
        List<(long Epoch, ulong Start)> leaderEpochs = [.. probe.Epochs.Select(e => (e.Epoch, e.StartSequence))];
        ulong last = Store.LastSequence;
        ulong point = LeaderEpochCache.DivergencePoint(_epochs!.Entries, last, leaderEpochs, probe.LastSequence);
        _awaitingSnapshot = false;
        if (point < last)
        {
            // R5: only a suffix the leader lacks is dropped; it was never acknowledged (R1: an
            // acknowledged write is on every in-sync replica, and leaders come from that set, R6).
            _awaitingSnapshot = !TruncateLog(point);
            Log.Warning(
                "shard {Id}: log diverges from leader {Leader} (epoch {Epoch}) after sequence {Point}; {Action} {Dropped} records",
                Id, probe.LeaderNode, probe.LeaderEpoch, point, _awaitingSnapshot ? "asking for a snapshot instead of truncating" : "truncated", last - point);
        }

        Sender.Tell(new ReplicaState
        {
            Shard = Id,
            LeaderEpoch = probe.LeaderEpoch,
            Node = SelfName,
            LastSequence = _awaitingSnapshot ? point : Store.LastSequence,
            NeedsSnapshot = _awaitingSnapshot,
            ProbeId = probe.ProbeId,
        });
    }

    private void OnAppend(AppendRecords append)
    {
        string self = SelfName;
        if (append.LeaderEpoch < KnownEpoch || (_leader is { } l && l.Epoch >= append.LeaderEpoch))
        {
            Sender.Tell(new AppendAck { Shard = Id, LeaderEpoch = KnownEpoch, Node = self, Rejected = true });
            return;
        }

        if (DefersNewerLeader(append.LeaderEpoch, append))
        {
            return;
        }

        LsmStore store = Store;
        if (append.LeaderEpoch != _probedEpoch || _awaitingSnapshot || append.PrevSequence != store.LastSequence)
        {
            Sender.Tell(new AppendAck { Shard = Id, LeaderEpoch = append.LeaderEpoch, Node = self, Ok = false, LastSequence = store.LastSequence });
            return;
        }

        if (append.Fragment is { } fragment)
        {
            if (TakeFragment(append, fragment) is not { } whole)
            {
                return; // acknowledged as a piece, or refused
            }

            append = whole;
        }
        else if (append.Records.Count == 0)
        {
            AcknowledgeAppend(append, Sender);
            return;
        }

        // The records are appended and the WAL synced on the shard's commit thread, like a leader's
        // group commit: the fsync blocks neither this actor nor a thread of the I/O dispatcher, which
        // the node's other shards (leaders serving clients) share. Until it ends, the other
        // follower-side messages and role changes wait in the stash (MustDefer), so the store
        // and the epoch cache have one writer and the acknowledgements keep the log's order.
        var pending = new FollowerAppend(append, Sender);
        LeaderEpochCache epochs = _epochs!;
        IActorRef shard = Self;
        _appendInFlight = pending;
        pending.Write = IoThread.Run(() =>
        {
            // The message's records go to the WAL as one group with one sync (they are contiguous:
            // the leader sends its log in order), each still its own WAL record.
            var batches = new List<WriteBatch>(append.Records.Count);
            ulong next = append.Records[0].FirstSequence;
            foreach (ReplicatedRecord r in append.Records)
            {
                if (r.FirstSequence != next)
                {
                    throw new SequenceGapException(next, r.FirstSequence);
                }

                WriteBatch batch = WriteBatch.FromBytes(r.Batch.Span);
                batches.Add(batch);
                next += (ulong)batch.Count;
            }

            foreach (ReplicatedRecord r in append.Records)
            {
                epochs.Assign(r.Epoch, r.FirstSequence);
            }

            store.WriteAt(batches, append.Records[0].FirstSequence); // durable (one WAL sync) on return
            return true;
        });
        pending.Write.ContinueWith(
            static (_, state) =>
            {
                var (shard, pending) = ((IActorRef, FollowerAppend))state!;
                shard.Tell(new AppendDone(pending));
            },
            (shard, pending),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>REQUIRES: called on the shard actor. Acknowledges the follower append once its write ended, then runs the deferred messages.</summary>
    private void OnAppendDone(FollowerAppend pending)
    {
        if (!ReferenceEquals(pending, _appendInFlight))
        {
            return; // an append of an earlier incarnation: abandoned in its PostStop, never acknowledged
        }

        _appendInFlight = null;
        AppendRecords append = pending.Append;
        if (pending.Write.Exception?.InnerException is { } error)
        {
            if (error is not SequenceGapException)
            {
                // As a failed leader commit: the store refuses writes after a failed WAL write; restart to reopen it.
                throw new InvalidOperationException($"shard {Id}'s store failed a follower append; restarting the shard to reopen it", error);
            }

            pending.ReplyTo.Tell(new AppendAck { Shard = Id, LeaderEpoch = append.LeaderEpoch, Node = SelfName, Ok = false, LastSequence = Store.LastSequence });
        }
        else
        {
            AcknowledgeAppend(append, pending.ReplyTo);
        }

        RunDeferred();
    }

    /// <summary>
    /// REQUIRES: called on the shard actor for an append of the followed epoch that continues this
    /// log (its previous sequence is the store's last). R14: adds the piece to the record being
    /// reassembled; a first piece (offset 0) starts a new one. Returns the append with the whole
    /// record once every byte is here; otherwise answers the sender itself (a piece ack, which
    /// acknowledges no record, or a refusal that makes the leader probe) and returns null.
    /// </summary>
    private AppendRecords? TakeFragment(AppendRecords append, RecordFragment fragment)
    {
        bool wellFormed = fragment.Data.Length > 0 && fragment.Count > 0
            && fragment.TotalLength <= MaxRecordBytes
            && (ulong)fragment.Offset + (ulong)fragment.Data.Length <= fragment.TotalLength
            && fragment.FirstSequence == append.PrevSequence + 1;
        RecordAssembly? assembly = _assembly;
        if (wellFormed && fragment.Offset == 0)
        {
            assembly = _assembly = new RecordAssembly(append.LeaderEpoch, fragment.FirstSequence, fragment.Count, fragment.Epoch, new byte[fragment.TotalLength]);
        }
        else if (!wellFormed || assembly is null || !assembly.Continues(append.LeaderEpoch, fragment))
        {
            _assembly = null;
            Sender.Tell(new AppendAck { Shard = Id, LeaderEpoch = append.LeaderEpoch, Node = SelfName, Ok = false, LastSequence = Store.LastSequence });
            return null;
        }

        fragment.Data.Span.CopyTo(assembly.Payload.AsSpan((int)fragment.Offset));
        assembly.Received += fragment.Data.Length;
        if (assembly.Received < assembly.Payload.Length)
        {
            AppendAck piece = OkAck(append);
            piece.FragmentSequence = fragment.FirstSequence;
            piece.FragmentReceived = (uint)assembly.Received;
            Sender.Tell(piece);
            return null;
        }

        _assembly = null;
        AppendRecords whole = append.Clone();
        whole.Fragment = null;
        whole.Records.Add(new ReplicatedRecord
        {
            FirstSequence = assembly.FirstSequence,
            Count = assembly.Count,
            Epoch = assembly.RecordEpoch,
            Batch = UnsafeByteOperations.UnsafeWrap(assembly.Payload), // the buffer is this record's alone from here on
        });
        return whole;
    }

    /// <summary>REQUIRES: called on the shard actor once <paramref name="append"/>'s records are durable (R1). Acknowledges it to <paramref name="replyTo"/>.</summary>
    private void AcknowledgeAppend(AppendRecords append, IActorRef replyTo)
    {
        _followerCommit = Math.Max(_followerCommit, append.CommitSequence);
        _handle.LastSupport = (append.LeaderEpoch, Stopwatch.GetTimestamp()); // R10: from now on the leader may serve reads on this acknowledgement
        replyTo.Tell(OkAck(append));
    }

    /// <summary>REQUIRES: called on the shard actor. A positive answer to <paramref name="append"/>: this replica's log end, the append's send time and leader log end echoed.</summary>
    private AppendAck OkAck(AppendRecords append) => new()
    {
        Shard = Id,
        LeaderEpoch = append.LeaderEpoch,
        Node = SelfName,
        Ok = true,
        LastSequence = Store.LastSequence,
        SentTicks = append.SentTicks,
        LeaderLastSequence = append.LeaderLastSequence,
    };

    /// <summary>
    /// REQUIRES: called on the shard actor while it stops. Waits (up to the request timeout) for a
    /// follower append still being written, so the store is not closed under it; it is not
    /// acknowledged: the leader probes again and resends what this replica lacks.
    /// </summary>
    private void AbandonFollowerAppend()
    {
        FollowerAppend? pending = _appendInFlight;
        _appendInFlight = null;
        try
        {
            pending?.Write.Wait(_settings.RequestTimeout);
        }
        catch (AggregateException)
        {
            // Failed: nothing to acknowledge; the reopened store recovers what reached its WAL.
        }
    }

    private void OnSnapshotBegin(SnapshotBegin begin)
    {
        if (begin.LeaderEpoch != _probedEpoch || begin.LeaderEpoch < KnownEpoch)
        {
            return;
        }

        DropIncomingSnapshot();
        string dir = IncomingDirectory();
        Directory.CreateDirectory(dir);
        _incoming = new SnapshotReceive(begin.SnapshotId, dir, begin.SnapshotSequence, [.. begin.Epochs.Select(e => (e.Epoch, e.StartSequence))], begin.Files.ToDictionary(f => f.Name, f => f.Size));
        Log.Info("shard {Id}: receiving a snapshot at sequence {Sequence} ({Files} files, {Bytes} bytes)", Id, begin.SnapshotSequence, begin.Files.Count, begin.Files.Sum(f => (long)f.Size));
    }

    private void OnSnapshotChunk(SnapshotChunk chunk)
    {
        var ack = new SnapshotChunkAck { Shard = Id, LeaderEpoch = chunk.LeaderEpoch, SnapshotId = chunk.SnapshotId, Node = SelfName };
        if (_incoming is not { } incoming || incoming.Id != chunk.SnapshotId || !incoming.Files.ContainsKey(chunk.File) || chunk.File.Contains('/') || chunk.File.Contains('\\'))
        {
            Sender.Tell(ack); // ok = false: the leader starts over with a probe
            return;
        }

        string path = Path.Combine(incoming.Directory, chunk.File);
        using (var f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
        {
            if ((ulong)f.Length != chunk.Offset)
            {
                Sender.Tell(ack);
                return;
            }

            f.Seek(0, SeekOrigin.End);
            f.Write(chunk.Data.Span);
            f.Flush(flushToDisk: true);
        }

        ack.Ok = true;
        Sender.Tell(ack);
    }

    private void OnSnapshotEnd(SnapshotEnd end)
    {
        if (_incoming is not { } incoming || incoming.Id != end.SnapshotId)
        {
            return;
        }

        foreach ((string name, ulong size) in incoming.Files)
        {
            string path = Path.Combine(incoming.Directory, name);
            if (!File.Exists(path) || (ulong)new FileInfo(path).Length != size)
            {
                Log.Warning("shard {Id}: snapshot file {File} is incomplete; discarding the snapshot", Id, name);
                DropIncomingSnapshot();
                return;
            }
        }

        LeaderEpochCache.Write(incoming.Directory, incoming.Epochs);
        _incoming = null;
        ReopenStore(dir =>
        {
            string old = dir + ".old";
            if (Directory.Exists(old))
            {
                Directory.Delete(old, recursive: true);
            }

            Directory.Move(dir, old);
            Directory.Move(incoming.Directory, dir);
            Directory.Delete(old, recursive: true);
        });
        _awaitingSnapshot = false;
        _handle.CountSnapshot();
        Log.Info("shard {Id}: installed the snapshot; last sequence {Last}", Id, Store.LastSequence);
        Sender.Tell(new ReplicaState { Shard = Id, LeaderEpoch = _probedEpoch, Node = SelfName, LastSequence = Store.LastSequence });
    }

    /// <summary>REQUIRES: called on the shard actor. Truncates the log after <paramref name="last"/> in place; false when the suffix reached SSTables.</summary>
    private bool TruncateLog(ulong last)
    {
        bool truncated = false;
        ReopenStore(dir => truncated = LsmStore.TruncateAfter(dir, last, _settings.Storage));
        if (truncated && Store.LastSequence != last)
        {
            Log.Error("shard {Id}: truncation to {Last} left the log at {Actual}; asking for a snapshot instead", Id, last, Store.LastSequence);
            truncated = false;
        }

        if (truncated)
        {
            _epochs!.TruncateAfter(last);
            _handle.CountTruncation();
        }

        return truncated;
    }

    private string IncomingDirectory() => Path.Combine(_settings.DataDir, "snapshots", "incoming-" + NodeMetadata.ShardName(Id));

    private void DropIncomingSnapshot()
    {
        _incoming = null;
        string dir = IncomingDirectory();
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The WAL's limit on one record's payload (src/ActorLsm.Storage/Wal/FORMAT.md): a larger fragmented record is refused.</summary>
    private const uint MaxRecordBytes = 1u << 30;

    /// <summary>A record arriving in pieces (R14): whose it is, and how many of its bytes are here (always a prefix).</summary>
    private sealed class RecordAssembly(long leaderEpoch, ulong firstSequence, uint count, long recordEpoch, byte[] payload)
    {
        public long LeaderEpoch { get; } = leaderEpoch;

        public ulong FirstSequence { get; } = firstSequence;

        public uint Count { get; } = count;

        public long RecordEpoch { get; } = recordEpoch;

        public byte[] Payload { get; } = payload;

        public int Received { get; set; }

        /// <summary>True when <paramref name="fragment"/> of an append at <paramref name="leaderEpoch"/> is this record's next piece.</summary>
        public bool Continues(long leaderEpoch, RecordFragment fragment) =>
            leaderEpoch == LeaderEpoch && fragment.FirstSequence == FirstSequence && fragment.Count == Count
            && fragment.Epoch == RecordEpoch && fragment.TotalLength == (uint)Payload.Length && fragment.Offset == (uint)Received;
    }

    private sealed record SnapshotReceive(string Id, string Directory, ulong Sequence, List<(long Epoch, ulong Start)> Epochs, Dictionary<string, ulong> Files);
}
