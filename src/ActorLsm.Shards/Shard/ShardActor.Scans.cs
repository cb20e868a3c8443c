using ActorLsm.Shards.Sessions;
using ActorLsm.Storage;
using Akka.Actor;

namespace ActorLsm.Shards.Shard;

/// <summary>Scans run on the thread pool over a store iterator; the actor keeps serving meanwhile.</summary>
internal sealed partial class ShardActor
{
    private void OnScan(ScanRequest scan, IActorRef replyTo)
    {
        LsmStore store = Store;
        int limit = Math.Clamp(scan.Limit, 0, _settings.MaxScanLimit + 1);
        int id = Id;
        _scans.RemoveAll(static t => t.IsCompleted);
        _scans.Add(Task.Run(() =>
        {
            try
            {
                replyTo.Tell(new ScanReply(ReadRange(store, scan, limit)));
            }
            catch (ObjectDisposedException e)
            {
                replyTo.Tell(new Status.Failure(new ShardUnavailableException($"shard {id} closed its store during the scan", e)));
            }
            catch (Exception e)
            {
                replyTo.Tell(new Status.Failure(e));
            }
        }));
    }

    /// <summary>The first <paramref name="limit"/> entries of the range, in the scan's order. Any thread.</summary>
    private static List<KeyValuePair<byte[], byte[]>> ReadRange(LsmStore store, ScanRequest scan, int limit)
    {
        var entries = new List<KeyValuePair<byte[], byte[]>>(Math.Min(limit, 1024));
        if (limit == 0)
        {
            return entries;
        }

        using LsmIterator it = store.NewIterator(new ReadOptions { LowerBound = scan.Start, UpperBound = scan.End });
        // Session records (R11) live in a reserved key range that clients never see: the scan jumps over it.
        if (scan.Reverse)
        {
            for (it.SeekToLast(); it.Valid && entries.Count < limit; it.Prev())
            {
                if (SessionKeys.IsReserved(it.Key))
                {
                    it.SeekForPrev(SessionKeys.Prefix); // no key equals the bare prefix: lands below the range
                    if (!it.Valid)
                    {
                        break;
                    }

                    if (SessionKeys.IsReserved(it.Key))
                    {
                        continue;
                    }
                }

                entries.Add(new KeyValuePair<byte[], byte[]>(it.Key.ToArray(), it.Value.ToArray()));
            }
        }
        else
        {
            for (it.SeekToFirst(); it.Valid && entries.Count < limit; it.Next())
            {
                if (SessionKeys.IsReserved(it.Key))
                {
                    it.Seek(SessionKeys.End);
                    if (!it.Valid)
                    {
                        break;
                    }
                }

                entries.Add(new KeyValuePair<byte[], byte[]>(it.Key.ToArray(), it.Value.ToArray()));
            }
        }

        return entries;
    }

    /// <summary>REQUIRES: called on the shard actor while stopping, before the store closes.</summary>
    private void WaitForScans()
    {
        try
        {
            Task.WaitAll([.. _scans], _settings.RequestTimeout);
        }
        catch (AggregateException)
        {
            // Each scan answers its own failure.
        }

        _scans.Clear();
    }
}
