using System.CommandLine;
using System.Text;

namespace ActorLsm.Cli.Commands;

/// <summary><c>actorlsm get KEY</c>: prints the value as UTF-8 text; exit 1 and <c>not found</c> on stderr when absent.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "Key (UTF-8 text)" };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("get", "Print the value of a key.") { key, endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "get", endpoint, async (client, output, ct) =>
        {
            byte[]? value = await client.GetAsync(Encoding.UTF8.GetBytes(parse.GetValue(key)!), ct).ConfigureAwait(false);
            if (value is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("not found").ConfigureAwait(false);
                return CommandSupport.ExitFailure;
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(value)).ConfigureAwait(false);
            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }
}
