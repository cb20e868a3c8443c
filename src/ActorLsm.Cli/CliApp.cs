using System.CommandLine;
using ActorLsm.Cli.Commands;

namespace ActorLsm.Cli;

/// <summary>The <c>actorlsm</c> command tree and its entry point, with output and error writers injectable for tests.</summary>
internal static class CliApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("actorlsm: the ActorLsm command-line tool");
        root.Subcommands.Add(PutCommand.Create());
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(DelCommand.Create());
        root.Subcommands.Add(ScanCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(LeaveCommand.Create());
        root.Subcommands.Add(YcsbCommand.Create());
        root.Subcommands.Add(DbBenchCommand.Create());
        root.Subcommands.Add(HashPasswordCommand.Create());
        ConnectionOptions.AddTo(root);
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A parse error prints one line on
    /// <paramref name="error"/> and returns 2 (no help dump); commands map their own failures.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ParseResult parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            CommandSupport.Fail(error, "", parse.Errors[0].Message);
            return CommandSupport.ExitUsage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            (int code, string message) = CommandSupport.Describe(e, cancellationToken);
            CommandSupport.Fail(error, parse.CommandResult.Command.Name, message);
            return code;
        }
    }
}
