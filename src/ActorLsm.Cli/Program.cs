using System.CommandLine;
using ActorLsm.Cli.Commands;

var root = new RootCommand("actorlsm: the ActorLsm command-line tool");
root.Subcommands.Add(DbBenchCommand.Create());
return root.Parse(args).Invoke();
