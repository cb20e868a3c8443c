namespace ActorLsm.Shards.Scan;

/// <summary>
/// Merges the sorted entry lists of several shards into one list in key order (k-way merge over
/// a priority queue of list heads). Keys are hash-partitioned, so no key appears in two lists.
/// </summary>
internal static class ScanMerge
{
    /// <summary>
    /// The first <paramref name="limit"/> entries of the union of <paramref name="parts"/>, each
    /// sorted ascending (descending when <paramref name="reverse"/>); Truncated is true when the
    /// parts hold more than <paramref name="limit"/> entries in total.
    /// </summary>
    public static (List<KeyValuePair<byte[], byte[]>> Entries, bool Truncated) Merge(
        IReadOnlyList<List<KeyValuePair<byte[], byte[]>>> parts, int limit, bool reverse)
    {
        long total = 0;
        foreach (List<KeyValuePair<byte[], byte[]>> part in parts)
        {
            total += part.Count;
        }

        var result = new List<KeyValuePair<byte[], byte[]>>((int)Math.Min(limit, total));
        var heads = new PriorityQueue<(int Part, int Index), byte[]>(
            parts.Count,
            reverse ? Comparer<byte[]>.Create(static (a, b) => b.AsSpan().SequenceCompareTo(a)) : Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b)));
        for (int p = 0; p < parts.Count; p++)
        {
            if (parts[p].Count > 0)
            {
                heads.Enqueue((p, 0), parts[p][0].Key);
            }
        }

        while (result.Count < limit && heads.TryDequeue(out (int Part, int Index) head, out _))
        {
            List<KeyValuePair<byte[], byte[]>> part = parts[head.Part];
            result.Add(part[head.Index]);
            int next = head.Index + 1;
            if (next < part.Count)
            {
                heads.Enqueue((head.Part, next), part[next].Key);
            }
        }

        return (result, total > limit);
    }
}
