using System.Globalization;

namespace ActorLsm.Shards.Layout;

/// <summary>
/// The <c>NODE</c> file at the root of a node's data directory: the shard count and key hash
/// the shard directories were written with (LAYOUT.md). Text, one <c>key = value</c> per line,
/// written once through a temp file and a rename.
/// </summary>
internal static class NodeMetadata
{
    public const string FileName = "NODE";
    public const string HashName = "fnv1a64-fmix64";

    /// <summary>The directory of shard <paramref name="id"/>: <c>shard-07</c> (at least two digits).</summary>
    public static string ShardDirectory(string dataDir, int id) => Path.Combine(dataDir, ShardName(id));

    /// <summary>The name of shard <paramref name="id"/>'s directory and actor: <c>shard-07</c>.</summary>
    public static string ShardName(int id) => "shard-" + id.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates <paramref name="dataDir"/> and its NODE file if missing; otherwise checks that the
    /// directory was written with <paramref name="shardCount"/> shards and the same hash.
    /// </summary>
    /// <exception cref="ShardCountMismatchException">The data directory holds another layout.</exception>
    public static void EnsureCompatible(string dataDir, int shardCount)
    {
        Directory.CreateDirectory(dataDir);
        string path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            (int storedCount, string storedHash) = Read(path);
            if (storedCount != shardCount || storedHash != HashName)
            {
                throw new ShardCountMismatchException(
                    $"data directory {dataDir} was written with {storedCount} shards (hash {storedHash}); this node is configured with {shardCount} shards (hash {HashName}). " +
                    "Changing the shard count needs an empty data directory.");
            }

            return;
        }

        // No NODE file: a fresh directory, or one from before the file existed. Count its shards.
        int existing = Directory.GetDirectories(dataDir, "shard-*").Length;
        if (existing > 0 && existing != shardCount)
        {
            throw new ShardCountMismatchException(
                $"data directory {dataDir} holds {existing} shard directories and no {FileName} file; this node is configured with {shardCount} shards. " +
                "Changing the shard count needs an empty data directory.");
        }

        string temp = path + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"# ActorLsm node data layout; do not edit.\nshard-count = {shardCount}\nhash = {HashName}\n"));
        File.Move(temp, path, overwrite: true);
    }

    private static (int Count, string Hash) Read(string path)
    {
        int count = -1;
        string hash = "?";
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            if (key == "shard-count" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                count = n;
            }
            else if (key == "hash")
            {
                hash = value;
            }
        }

        if (count < 1)
        {
            throw new ShardCountMismatchException($"{path} does not name a shard count; restore it or start from an empty data directory");
        }

        return (count, hash);
    }
}
