using System.Buffers.Text;
using System.Globalization;
using ActorLsm.Protocol;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// SCAN, KEYS, DBSIZE, TYPE, FLUSHDB and FLUSHALL over the shards this node serves (in a cluster, as in Redis
/// Cluster, each node answers for its own slots). Keys come in key order, page by page.
/// </summary>
internal static class KeyspaceCommands
{
    public static async ValueTask<RespValue> Scan(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (!Utf8Parser.TryParse(a[1], out ulong cursor, out int used) || used != a[1].Length)
        {
            return Errors.InvalidCursor;
        }

        byte[]? start = null;
        if (cursor != 0)
        {
            if (cursor > long.MaxValue || !s.Service.Cursors.TryGet((long)cursor, out byte[] resume))
            {
                return Errors.InvalidCursor;
            }

            start = resume;
        }

        byte[]? match = null;
        long count = 10;
        bool typeMismatch = false;
        for (int i = 2; i < a.Count; i++)
        {
            if (Args.Is(a[i], "MATCH") && i + 1 < a.Count)
            {
                match = a[++i];
            }
            else if (Args.Is(a[i], "COUNT") && i + 1 < a.Count)
            {
                if (!Args.TryLong(a[++i], out count))
                {
                    return Errors.NotInteger;
                }

                if (count < 1)
                {
                    return Errors.Syntax;
                }
            }
            else if (Args.Is(a[i], "TYPE") && i + 1 < a.Count)
            {
                typeMismatch = !Args.Is(a[++i], "string");
            }
            else
            {
                return Errors.Syntax;
            }
        }

        int limit = (int)Math.Min(count, s.Service.Backend.MaxScanLimit);
        (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, bool truncated) =
            await s.Service.Backend.ScanAsync(start, limit, CancellationToken.None).ConfigureAwait(false);
        var keys = new List<RespValue>(entries.Count);
        foreach (KeyValuePair<byte[], byte[]> e in entries)
        {
            if (!typeMismatch && (match is null || GlobPattern.IsMatch(match, e.Key)))
            {
                keys.Add(RespValue.Bulk(e.Key));
            }
        }

        long next = truncated && entries.Count > 0 ? s.Service.Cursors.Add(After(entries[^1].Key)) : 0;
        return RespValue.Array(RespValue.Bulk(next.ToString(CultureInfo.InvariantCulture)), RespValue.Array([.. keys]));
    }

    // The smallest key after key: key followed by a zero byte.
    private static byte[] After(byte[] key) => [.. key, 0];

    public static async ValueTask<RespValue> Keys(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] pattern = a[1];
        var keys = new List<RespValue>();
        await ForEachPage(s, page =>
        {
            foreach (KeyValuePair<byte[], byte[]> e in page)
            {
                if (GlobPattern.IsMatch(pattern, e.Key))
                {
                    keys.Add(RespValue.Bulk(e.Key));
                }
            }

            return Task.CompletedTask;
        }).ConfigureAwait(false);
        return RespValue.Array([.. keys]);
    }

    public static async ValueTask<RespValue> DbSize(RespSession s, IReadOnlyList<byte[]> a) =>
        RespValue.Int(await CountAsync(s.Service).ConfigureAwait(false));

    /// <summary>Keys this node serves (a full scan: O(keys)).</summary>
    internal static async Task<long> CountAsync(RespService service)
    {
        long n = 0;
        byte[]? start = null;
        while (true)
        {
            (IReadOnlyList<KeyValuePair<byte[], byte[]>> page, bool truncated) =
                await service.Backend.ScanAsync(start, Math.Min(service.Options.ScanPageSize, service.Backend.MaxScanLimit), CancellationToken.None).ConfigureAwait(false);
            n += page.Count;
            if (!truncated || page.Count == 0)
            {
                return n;
            }

            start = After(page[^1].Key);
        }
    }

    public static ValueTask<RespValue> Type(RespSession s, IReadOnlyList<byte[]> a) =>
        Args.Map(s.Service.Backend.GetAsync(a[1], CancellationToken.None), v => RespValue.Simple(v is null ? "none" : "string"));

    /// <summary>FLUSHDB/FLUSHALL [ASYNC|SYNC]: deletes every key this node serves, slot by slot through the coordinator (not atomic as a whole).</summary>
    public static async ValueTask<RespValue> Flush(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (a.Count == 2 && !Args.Is(a[1], "ASYNC") && !Args.Is(a[1], "SYNC"))
        {
            return Errors.Syntax;
        }

        await ForEachPage(s, page =>
        {
            var writes = new List<Task<RespValue>>();
            foreach (IGrouping<int, KeyValuePair<byte[], byte[]>> slot in page.GroupBy(e => KeySlot.Of(e.Key)))
            {
                writes.Add(s.Service.Coordinator.WriteAsync(slot.Key, [.. slot.Select(e => new RespWrite(e.Key, null))], RespValue.Ok));
            }

            return Task.WhenAll(writes);
        }).ConfigureAwait(false);
        return RespValue.Ok;
    }

    private static async Task ForEachPage(RespSession s, Func<IReadOnlyList<KeyValuePair<byte[], byte[]>>, Task> visit)
    {
        byte[]? start = null;
        int page = Math.Min(s.Service.Options.ScanPageSize, s.Service.Backend.MaxScanLimit);
        while (true)
        {
            (IReadOnlyList<KeyValuePair<byte[], byte[]>> entries, bool truncated) =
                await s.Service.Backend.ScanAsync(start, page, CancellationToken.None).ConfigureAwait(false);
            await visit(entries).ConfigureAwait(false);
            if (!truncated || entries.Count == 0)
            {
                return;
            }

            start = After(entries[^1].Key);
        }
    }
}
