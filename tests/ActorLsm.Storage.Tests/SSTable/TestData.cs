using System.Text;
using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Tests.SSTable;

/// <summary>Random sorted internal-key entries and a temp directory for table tests.</summary>
internal static class TestData
{
    /// <summary>
    /// <paramref name="userKeys"/> distinct user keys (shared prefixes, varied lengths), each with
    /// 1..<paramref name="maxVersions"/> versions (descending sequence numbers, some tombstones),
    /// sorted in internal-key order.
    /// </summary>
    public static List<(byte[] Key, byte[] Value)> Entries(int seed, int userKeys, int maxVersions = 1, int maxValue = 40)
    {
        var rng = new Random(seed);
        var users = new SortedSet<string>(StringComparer.Ordinal);
        while (users.Count < userKeys)
        {
            users.Add($"key{rng.Next(userKeys * 10):D8}/{new string('x', rng.Next(0, 12))}");
        }

        var result = new List<(byte[], byte[])>();
        ulong seq = 1;
        foreach (string user in users)
        {
            int versions = rng.Next(1, maxVersions + 1);
            var seqs = new ulong[versions];
            for (int i = 0; i < versions; i++)
            {
                seq += (ulong)rng.Next(1, 5);
                seqs[i] = seq;
            }

            Array.Reverse(seqs);
            foreach (ulong s in seqs)
            {
                var kind = rng.Next(8) == 0 ? ValueKind.Delete : ValueKind.Put;
                var value = kind == ValueKind.Delete ? [] : RandomValue(rng, maxValue);
                result.Add((InternalKey.Create(Encoding.ASCII.GetBytes(user), s, kind), value));
            }
        }

        return result;
    }

    public static byte[] RandomValue(Random rng, int maxLength)
    {
        var value = new byte[rng.Next(0, maxLength + 1)];
        rng.NextBytes(value);
        return value;
    }

    /// <summary>Index of the first entry whose key is &gt;= target, or Count.</summary>
    public static int LowerBound(List<(byte[] Key, byte[] Value)> entries, ReadOnlySpan<byte> target)
    {
        int lo = 0, hi = entries.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (InternalKey.Compare(entries[mid].Key, target) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A random probe key: a user key near the model's keys and a random sequence.</summary>
    public static byte[] ProbeKey(Random rng, List<(byte[] Key, byte[] Value)> entries)
    {
        var baseKey = entries[rng.Next(entries.Count)].Key;
        var user = InternalKey.UserKey(baseKey).ToArray();
        switch (rng.Next(3))
        {
            case 0:
                break;
            case 1:
                user[^1]++;
                break;
            default:
                user = [.. user, (byte)rng.Next(256)];
                break;
        }

        return InternalKey.Create(user, (ulong)rng.Next(0, 1 << 20), rng.Next(2) == 0 ? ValueKind.Put : ValueKind.Delete);
    }
}

/// <summary>A fresh temp directory deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("actorlsm-sst-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
