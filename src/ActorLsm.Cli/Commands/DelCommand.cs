using System.CommandLine;
using System.Text;

namespace ActorLsm.Cli.Commands;

/// <summary><c>actorlsm del KEY</c>: deletes a key (a tombstone; deleting an absent key succeeds); silent on success.</summary>
internal static class DelCommand
{
    public static Command Create()
    {
        var key = new Argument<string>("KEY") { Description = "Key (UTF-8 text)" };
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("del", "Delete a key; prints nothing on success.") { key, endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "del", endpoint, async (client, _, ct) =>
        {
            await client.DeleteAsync(Encoding.UTF8.GetBytes(parse.GetValue(key)!), ct).ConfigureAwait(false);
            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }
}
