using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ActorLsm.Shards.Replication;

/// <summary>
/// A replica's leader-epoch cache: for each leader epoch in which this replica's log gained
/// records, the sequence number of the epoch's first record (Kafka's leader-epoch checkpoint,
/// KIP-101). Kept in the shard's store directory as <c>LEADER-EPOCHS</c> (byte grammar in
/// Replication/FORMAT.md), written to a temporary file, synced, then renamed over the old one,
/// so a crash leaves the old or the new cache. Epochs grow strictly from entry to entry; start
/// sequences never shrink (an epoch that gained no records shares its start with the next one).
/// Not thread-safe: owned by the shard actor.
/// </summary>
internal sealed class LeaderEpochCache
{
    /// <summary>Format constant: the file name inside the shard's store directory.</summary>
    public const string FileName = "LEADER-EPOCHS";

    /// <summary>Format constant: the only version written and read.</summary>
    private const int FormatVersion = 0;

    private readonly string _path;
    private readonly List<(long Epoch, ulong Start)> _entries = [];

    private LeaderEpochCache(string path) => _path = path;

    /// <summary>Entries, oldest first.</summary>
    public IReadOnlyList<(long Epoch, ulong Start)> Entries => _entries;

    /// <summary>The latest epoch with an entry; 0 when none.</summary>
    public long LatestEpoch => _entries.Count == 0 ? 0 : _entries[^1].Epoch;

    /// <summary>
    /// Loads the cache of the store in <paramref name="directory"/> (empty when the file is absent).
    /// Throws <see cref="InvalidDataException"/> naming the file when it does not parse.
    /// </summary>
    public static LeaderEpochCache Load(string directory)
    {
        var cache = new LeaderEpochCache(Path.Combine(directory, FileName));
        if (File.Exists(cache._path))
        {
            cache._entries.AddRange(Parse(File.ReadAllLines(cache._path), cache._path));
        }

        cache.AssertInvariants();
        return cache;
    }

    /// <summary>Writes <paramref name="entries"/> as the cache file of <paramref name="directory"/> (a snapshot being installed).</summary>
    public static void Write(string directory, IEnumerable<(long Epoch, ulong Start)> entries)
    {
        var cache = new LeaderEpochCache(Path.Combine(directory, FileName));
        cache._entries.AddRange(entries);
        cache.AssertInvariants();
        cache.Persist();
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="start"/> when it is newer
    /// than the latest entry (no-op otherwise), and persists. REQUIRES: called on the shard actor,
    /// before any record of that epoch is appended.
    /// </summary>
    public void Assign(long epoch, ulong start)
    {
        if (epoch <= LatestEpoch)
        {
            return;
        }

        _entries.Add((epoch, start));
        AssertInvariants();
        Persist();
    }

    /// <summary>Drops entries whose epoch starts after <paramref name="lastSequence"/> (the log was truncated there), and persists.</summary>
    public void TruncateAfter(ulong lastSequence)
    {
        int removed = _entries.RemoveAll(e => e.Start > lastSequence);
        if (removed > 0)
        {
            Persist();
        }
    }

    /// <summary>The epoch of the record with sequence <paramref name="sequence"/>: the latest entry starting at or before it; 0 when none.</summary>
    public static long EpochOf(IReadOnlyList<(long Epoch, ulong Start)> entries, ulong sequence)
    {
        long epoch = 0;
        foreach ((long e, ulong start) in entries)
        {
            if (start > sequence)
            {
                break;
            }

            epoch = e;
        }

        return epoch;
    }

    /// <summary>
    /// Where a log with epochs <paramref name="entries"/> and last sequence <paramref name="last"/>
    /// ends for <paramref name="epoch"/>: the largest epoch <c>E' &lt;= epoch</c> it has (0 when none)
    /// and the last sequence of E' (the start of the next epoch minus one, or <paramref name="last"/>
    /// when E' is its latest; 0 when it has no such epoch). Kafka's OffsetsForLeaderEpoch answer.
    /// </summary>
    public static (long Epoch, ulong End) EndOf(IReadOnlyList<(long Epoch, ulong Start)> entries, ulong last, long epoch)
    {
        int i = entries.Count - 1;
        while (i >= 0 && entries[i].Epoch > epoch)
        {
            i--;
        }

        if (i < 0)
        {
            return (0, entries.Count == 0 ? last : entries[0].Start - 1);
        }

        ulong end = i == entries.Count - 1 ? last : Math.Min(last, entries[i + 1].Start - 1);
        return (entries[i].Epoch, end);
    }

    /// <summary>
    /// KIP-101 with KIP-279's refinement: the sequence this replica (epochs <paramref name="mine"/>,
    /// last sequence <paramref name="myLast"/>) must truncate to so that its log is a prefix of the
    /// leader's (epochs <paramref name="leader"/>, last <paramref name="leaderLast"/>). Everything at
    /// or below the result is identical on both (records of one epoch come from one leader).
    /// </summary>
    public static ulong DivergencePoint(IReadOnlyList<(long Epoch, ulong Start)> mine, ulong myLast, IReadOnlyList<(long Epoch, ulong Start)> leader, ulong leaderLast)
    {
        // KIP-279: repeat the OffsetsForLeaderEpoch exchange with the epochs left after each
        // truncation until it moves no more (an epoch the leader lacks can hide a shorter common one).
        ulong last = myLast;
        List<(long Epoch, ulong Start)> current = [.. mine];
        while (true)
        {
            current.RemoveAll(e => e.Start > last);
            long myEpoch = current.Count == 0 ? 0 : current[^1].Epoch;
            (long common, ulong leaderEnd) = EndOf(leader, leaderLast, myEpoch);
            (_, ulong myEnd) = EndOf(current, last, common);
            ulong point = Math.Min(last, Math.Min(leaderEnd, myEnd));
            if (point == last)
            {
                return point;
            }

            last = point;
        }
    }

    private static List<(long, ulong)> Parse(string[] lines, string path)
    {
        try
        {
            if (lines.Length < 2 || int.Parse(lines[0], CultureInfo.InvariantCulture) != FormatVersion)
            {
                throw new InvalidDataException($"{path}: unknown leader-epoch cache version");
            }

            int count = int.Parse(lines[1], CultureInfo.InvariantCulture);
            if (count < 0 || lines.Length < 2 + count)
            {
                throw new InvalidDataException($"{path}: {count} entries announced, {lines.Length - 2} present");
            }

            var entries = new List<(long, ulong)>(count);
            for (int i = 0; i < count; i++)
            {
                string[] parts = lines[2 + i].Split(' ');
                entries.Add((long.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture)));
            }

            return entries;
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: the leader-epoch cache does not parse: {e.Message}", e);
        }
    }

    private void Persist()
    {
        var text = new StringBuilder();
        text.Append(FormatVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(_entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach ((long epoch, ulong start) in _entries)
        {
            text.Append(epoch.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(start.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        string tmp = _path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(Encoding.ASCII.GetBytes(text.ToString()));
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, _path, overwrite: true);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        for (int i = 1; i < _entries.Count; i++)
        {
            Debug.Assert(_entries[i].Epoch > _entries[i - 1].Epoch, "epochs grow");
            Debug.Assert(_entries[i].Start >= _entries[i - 1].Start, "start sequences do not shrink");
        }
    }
}
