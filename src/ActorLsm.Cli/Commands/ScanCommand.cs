using System.CommandLine;
using System.Globalization;
using System.Text;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm scan [START] [END] [--limit N] [--reverse] [--count]</c>: entries with
/// START &lt;= key &lt; END in key order, one <c>key&lt;TAB&gt;value</c> line each as UTF-8 text
/// (invalid UTF-8 shows as U+FFFD); an omitted or empty bound is unbounded; <c>--count</c>
/// prints only the number of entries.
/// </summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var start = new Argument<string?>("START") { Description = "First key (inclusive); omit or \"\" for unbounded", Arity = ArgumentArity.ZeroOrOne };
        var end = new Argument<string?>("END") { Description = "End key (exclusive); omit or \"\" for unbounded", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "At most N entries (0 = all)", DefaultValueFactory = _ => 0 };
        var reverse = new Option<bool>("--reverse") { Description = "Descending key order" };
        var count = new Option<bool>("--count") { Description = "Print only the number of entries" };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("scan", "List the entries of a key range.") { start, end, limit, reverse, count, endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "scan", endpoint, async (client, output, ct) =>
        {
            int max = parse.GetValue(limit);
            if (max < 0)
            {
                throw new UsageException($"--limit must be >= 0, got {max}");
            }

            long entries = 0;
            bool countOnly = parse.GetValue(count);
            await foreach (KeyValuePair<byte[], byte[]> entry in client.ScanAsync(Bound(parse.GetValue(start)), Bound(parse.GetValue(end)), max, parse.GetValue(reverse), ct).ConfigureAwait(false))
            {
                entries++;
                if (!countOnly)
                {
                    await output.WriteLineAsync($"{Encoding.UTF8.GetString(entry.Key)}\t{Encoding.UTF8.GetString(entry.Value)}").ConfigureAwait(false);
                }
            }

            if (countOnly)
            {
                await output.WriteLineAsync(entries.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }

            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }

    /// <summary>A scan bound from its argument: null or "" is unbounded.</summary>
    internal static byte[]? Bound(string? text) => string.IsNullOrEmpty(text) ? null : Encoding.UTF8.GetBytes(text);
}
