using System.CommandLine;
using ActorLsm.Protocol;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm leave --endpoint host:port</c>: asks that node to leave the cluster gracefully
/// (Akka.Cluster's <c>Cluster.Leave</c>: leaving, singleton hand-over, exiting) and stop; prints
/// <c>leaving NODE</c>. A single node just stops.
/// </summary>
internal static class LeaveCommand
{
    public static Command Create()
    {
        Option<string> endpoint = CommandSupport.CreateEndpointOption();
        var command = new Command("leave", "Ask the node at --endpoint to leave the cluster and stop.") { endpoint };
        command.SetAction((parse, cancellationToken) => CommandSupport.WithClientAsync(parse, "leave", endpoint, async (client, output, ct) =>
        {
            LeaveResponse response = await client.LeaveAsync(ct).ConfigureAwait(false);
            await output.WriteLineAsync("leaving " + response.Node).ConfigureAwait(false);
            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }
}
