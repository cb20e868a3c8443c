using System.CommandLine;
using System.Text;

namespace ActorLsm.Cli.Commands;

/// <summary><c>actorlsm put KEY VALUE</c>: writes VALUE (UTF-8) under KEY (UTF-8); silent on success.</summary>
internal static class PutCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "Key (UTF-8 text)" };
        var value = new Argument<string>("VALUE") { Description = "Value (UTF-8 text)" };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("put", "Write a value under a key; prints nothing on success.") { key, value, endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "put", endpoint, async (client, _, ct) =>
        {
            await client.PutAsync(Encoding.UTF8.GetBytes(parse.GetValue(key)!), Encoding.UTF8.GetBytes(parse.GetValue(value)!), ct).ConfigureAwait(false);
            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }
}
