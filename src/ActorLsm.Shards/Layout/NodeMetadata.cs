using System.Globalization;
using ActorLsm.Protocol;

namespace ActorLsm.Shards.Layout;

/// <summary>
/// The <c>NODE</c> file at the root of a node's data directory: the shard count and placement
/// rule the shard directories were written with (LAYOUT.md). Text, one <c>key = value</c> per line,
/// written once through a temp file and a rename.
/// </summary>
internal static class NodeMetadata
{
    public const string FileName = "NODE";
    /// <summary>The placement rule this build writes and accepts (<see cref="ShardHash.PlacementName"/>).</summary>
    public const string HashName = ShardHash.PlacementName;

    /// <summary>The placement rule of data directories written before hash slots (LAYOUT.md, "Placement history").</summary>
    public const string LegacyFnvHashName = "fnv1a64-fmix64";

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
            if (storedHash == LegacyFnvHashName)
            {
                throw new ShardCountMismatchException(LegacyMessage(dataDir));
            }

            if (storedCount != shardCount || storedHash != HashName)
            {
                throw new ShardCountMismatchException(
                    $"data directory {dataDir} was written with {storedCount} shards (hash {storedHash}); this node is configured with {shardCount} shards (hash {HashName}). " +
                    "Changing the shard count needs an empty data directory.");
            }

            return;
        }

        // No NODE file: a fresh directory, or one from before the file existed, which was written
        // with FNV placement and would be misread under hash slots.
        int existing = Directory.GetDirectories(dataDir, "shard-*").Length;
        if (existing > 0)
        {
            throw new ShardCountMismatchException(LegacyMessage(dataDir));
        }

        string temp = path + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"# ActorLsm node data layout; do not edit.\nshard-count = {shardCount}\nhash = {HashName}\n"));
        File.Move(temp, path, overwrite: true);
    }

    private static string LegacyMessage(string dataDir) =>
        $"data directory {dataDir} was written with the old FNV key placement ({LegacyFnvHashName}); this version places keys by Redis Cluster hash slots ({HashName}), " +
        "so its keys would be looked up in the wrong shards. Export the data with the previous version (actorlsm scan) and load it into an empty data directory.";

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
