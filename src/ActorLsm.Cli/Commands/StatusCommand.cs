using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ActorLsm.Protocol;
using Spectre.Console;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm status [--json] [--endpoint host:port]</c>: the cluster as the node sees it (Akka.Cluster's
/// <c>CurrentClusterState</c>, the version manager's versions, the shard map) and the node's own shards.
/// <c>--json</c> prints one JSON object <c>{"node","shardCount","clustered","members":[{"address","status","reachable"}],
/// "singleton","versions":{"current","completed","flushed"},"shards":[{"id","slots","leader","followers","inSync",
/// "epoch","lastSequence","available", and for shards on this node "state","levelFiles","levelBytes",
/// "flushes","compactions","memtableBytes","pendingWrites","restarts"}]}</c>; otherwise tables. A single
/// node reports itself as the one member, status up, leading every shard at epoch 0.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("status", "Show the state of the node's shards.") { json, endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "status", endpoint, async (client, output, ct) =>
        {
            StatusResponse status = await client.StatusAsync(ct).ConfigureAwait(false);
            ClusterStatusResponse cluster = await client.ClusterStatusAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteClusterJson(cluster, status, output);
            }
            else
            {
                WriteClusterTable(cluster, output);
                WriteTable(status, output);
            }

            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }

    /// <summary>
    /// Writes the documented cluster JSON object (indented, then a newline): <paramref name="cluster"/>'s members,
    /// singleton, versions and shards, each shard also carrying <paramref name="local"/>'s figures for it.
    /// </summary>
    internal static void WriteClusterJson(ClusterStatusResponse cluster, StatusResponse local, TextWriter output)
    {
        var localShards = local.Shards.ToDictionary(s => s.Id);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("node", local.Node);
            writer.WriteNumber("shardCount", local.ShardCount);
            writer.WriteBoolean("clustered", cluster.Clustered);
            writer.WriteStartArray("members");
            foreach (ClusterMember m in cluster.Members)
            {
                writer.WriteStartObject();
                writer.WriteString("address", m.Address);
                writer.WriteString("status", m.Status);
                writer.WriteBoolean("reachable", m.Reachable);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (cluster.Singleton.Length > 0)
            {
                writer.WriteString("singleton", cluster.Singleton);
            }
            else
            {
                writer.WriteNull("singleton");
            }

            writer.WriteStartObject("versions");
            writer.WriteNumber("current", cluster.Versions?.Current ?? 0);
            writer.WriteNumber("completed", cluster.Versions?.Completed ?? 0);
            writer.WriteNumber("flushed", cluster.Versions?.Flushed ?? 0);
            writer.WriteEndObject();
            writer.WriteStartArray("shards");
            foreach (ClusterShard shard in cluster.Shards)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", shard.Id);
                (int firstSlot, int endSlot) = ShardHash.SlotRange((int)shard.Id, (int)local.ShardCount);
                writer.WriteString("slots", Slots(firstSlot, endSlot));
                if (shard.Leader.Length > 0)
                {
                    writer.WriteString("leader", shard.Leader);
                }
                else
                {
                    writer.WriteNull("leader");
                }

                WriteStrings(writer, "followers", shard.Followers);
                WriteStrings(writer, "inSync", shard.InSync);
                writer.WriteNumber("epoch", shard.Epoch);
                writer.WriteNumber("lastSequence", shard.LastSequence);
                writer.WriteBoolean("available", shard.Available);
                if (localShards.TryGetValue(shard.Id, out ShardStatus? mine))
                {
                    writer.WriteString("state", mine.State);
                    WriteShardStats(writer, mine);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    // The storage figures of one shard this node hosts: files and bytes per level, counters.
    private static void WriteShardStats(Utf8JsonWriter writer, ShardStatus shard)
    {
        writer.WriteStartArray("levelFiles");
        foreach (uint files in shard.LevelFiles)
        {
            writer.WriteNumberValue(files);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("levelBytes");
        foreach (ulong bytes in shard.LevelBytes)
        {
            writer.WriteNumberValue(bytes);
        }

        writer.WriteEndArray();
        writer.WriteNumber("flushes", shard.Flushes);
        writer.WriteNumber("compactions", shard.Compactions);
        writer.WriteNumber("memtableBytes", shard.MemtableBytes);
        writer.WriteNumber("pendingWrites", shard.PendingWrites);
        writer.WriteNumber("restarts", shard.Restarts);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (string v in values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <paramref name="cluster"/> as readable tables: members, singleton and versions, shard leaders.</summary>
    internal static void WriteClusterTable(ClusterStatusResponse cluster, TextWriter output)
    {
        IAnsiConsole console = ConsoleFor(output);
        var members = new Table().AddColumns("member", "status", "reachable");
        foreach (ClusterMember m in cluster.Members)
        {
            members.AddRow(Markup.Escape(m.Address), Markup.Escape(m.Status), m.Reachable ? "yes" : "[red]no[/]");
        }

        console.Write(members);
        console.MarkupLine(CultureInfo.InvariantCulture, "singleton [bold]{0}[/]  versions current {1}  completed {2}  flushed {3}",
            Markup.Escape(cluster.Singleton.Length > 0 ? cluster.Singleton : "none"), cluster.Versions?.Current ?? 0, cluster.Versions?.Completed ?? 0, cluster.Versions?.Flushed ?? 0);
        var shards = new Table().AddColumns("shard", "slots", "leader", "followers", "in sync", "epoch", "last seq", "available");
        foreach (ClusterShard shard in cluster.Shards)
        {
            shards.AddRow(
                Text(shard.Id),
                Slots(ShardHash.SlotRange((int)shard.Id, cluster.Shards.Count)),
                Markup.Escape(shard.Leader.Length > 0 ? shard.Leader : "none"),
                Markup.Escape(string.Join(' ', shard.Followers)),
                Markup.Escape(string.Join(' ', shard.InSync)),
                Text(shard.Epoch),
                Text(shard.LastSequence),
                shard.Available ? "yes" : "[red]no[/]");
        }

        console.Write(shards);
    }

    // Redis Cluster notation for a shard's hash slots: "first-last" (inclusive).
    private static string Slots((int First, int End) range) => Slots(range.First, range.End);

    private static string Slots(int first, int end) => string.Create(CultureInfo.InvariantCulture, $"{first}-{end - 1}");

    private static IAnsiConsole ConsoleFor(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>Writes <paramref name="status"/> as the documented JSON object, indented, followed by a newline.</summary>
    internal static void WriteJson(StatusResponse status, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("node", status.Node);
            writer.WriteNumber("shardCount", status.ShardCount);
            writer.WriteStartArray("shards");
            foreach (ShardStatus shard in status.Shards)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", shard.Id);
                writer.WriteString("state", shard.State);
                writer.WriteNumber("lastSequence", shard.LastSequence);
                WriteShardStats(writer, shard);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes <paramref name="status"/> as a header line and a table of shards.</summary>
    internal static void WriteTable(StatusResponse status, TextWriter output)
    {
        // A terminal keeps its width and colours; anything else (a pipe, a file, a test) gets plain wide text.
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 160;
        }

        console.MarkupLine(CultureInfo.InvariantCulture, "node [bold]{0}[/]  version {1}  shards {2}  uptime {3}",
            Markup.Escape(status.Node), Markup.Escape(status.Version), status.ShardCount, TimeSpan.FromMilliseconds(status.UptimeMs).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture));
        var table = new Table().AddColumns("shard", "state", "last seq", "files/level", "sst bytes", "flushes", "compactions", "memtable", "pending", "restarts");
        foreach (ShardStatus shard in status.Shards)
        {
            ulong levelBytes = 0;
            foreach (ulong bytes in shard.LevelBytes)
            {
                levelBytes += bytes;
            }

            table.AddRow(
                Text(shard.Id),
                Markup.Escape(shard.State),
                Text(shard.LastSequence),
                string.Join(' ', shard.LevelFiles.Select(f => f.ToString(CultureInfo.InvariantCulture))),
                Bytes(levelBytes),
                Text(shard.Flushes),
                Text(shard.Compactions),
                Bytes(shard.MemtableBytes),
                Text(shard.PendingWrites),
                Text(shard.Restarts));
        }

        console.Write(table);
    }

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bytes(ulong bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1024UL * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2} GiB"),
    };
}
