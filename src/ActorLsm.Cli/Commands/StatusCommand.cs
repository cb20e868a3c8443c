using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ActorLsm.Protocol;
using Spectre.Console;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm status [--json]</c>: the node's shards. <c>--json</c> prints one JSON object
/// <c>{"node","shardCount","shards":[{"id","state","lastSequence","levelFiles","levelBytes",
/// "flushes","compactions","memtableBytes","pendingWrites","restarts"}]}</c> (levelFiles and
/// levelBytes are arrays indexed by level; bytes are plain integers); otherwise a table.
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
            if (parse.GetValue(json))
            {
                WriteJson(status, output);
            }
            else
            {
                WriteTable(status, output);
            }

            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
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
