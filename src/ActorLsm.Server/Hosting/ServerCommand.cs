using System.CommandLine;
using ActorLsm.Server.Configuration;

namespace ActorLsm.Server.Hosting;

/// <summary>
/// The <c>actorlsm-server</c> command line: <c>--config FILE</c>, <c>--data-dir DIR</c>, <c>--port N</c>
/// (System.CommandLine). Exit codes: 0 after a clean stop (SIGTERM, Ctrl-C or a client's LeaveRequest; in
/// cluster mode after leaving the cluster), 1 when the node cannot start (store, port, cluster), 2 for a bad
/// flag or configuration (one line on stderr naming file, line and key), 3 when the cluster downed the node.
/// </summary>
public static class ServerCommand
{
    /// <summary>The line printed on stdout once clients can connect; scripts and tests wait for it.</summary>
    public static string ReadyLine(string endpoint) => "actorlsm-server listening on " + endpoint;

    public static async Task<int> RunAsync(string[] args)
    {
        var configOption = new Option<string?>("--config") { Description = "A HOCON file layered over the embedded defaults (hocon/single-node.conf over hocon/reference.conf)." };
        var dataDirOption = new Option<string?>("--data-dir") { Description = "Directory of the shards' stores (actorlsm.node.data-dir)." };
        var portOption = new Option<int?>("--port") { Description = "TCP port of the client listener (actorlsm.server.port); 0 picks a free one." };
        var root = new RootCommand("actorlsm-server: one ActorLsm node serving the client protocol over TCP");
        root.Options.Add(configOption);
        root.Options.Add(dataDirOption);
        root.Options.Add(portOption);
        root.SetAction((parse, _) => ServeAsync(parse.GetValue(configOption), parse.GetValue(dataDirOption), parse.GetValue(portOption)));

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("actorlsm-server: " + parsed.Errors[0].Message).ConfigureAwait(false);
            return 2;
        }

        // The host's console lifetime handles SIGTERM and Ctrl-C; System.CommandLine must not.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary>Loads and binds the configuration; an <see cref="InvalidConfigException"/> names file, line and key.</summary>
    public static ServerSettings LoadSettings(string? configFile, string? dataDir, int? port) =>
        ServerConfigBinder.Bind(ServerConfig.Load(configFile, dataDir, port));

    private static async Task<int> ServeAsync(string? configFile, string? dataDir, int? port)
    {
        ServerSettings settings;
        try
        {
            settings = LoadSettings(configFile, dataDir, port);
        }
        catch (InvalidConfigException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        ActorLsmServer server;
        try
        {
            server = await ActorLsmServer.StartAsync(settings).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"actorlsm-server: cannot start: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        int exitCode = 0;
        await using (server.ConfigureAwait(false))
        {
            await Console.Out.WriteLineAsync(ReadyLine(server.Endpoint)).ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
            if (server.Cluster is { } cluster)
            {
                _ = cluster.WhenUp.ContinueWith(
                    _ =>
                    {
                        Console.Out.WriteLine(MemberUpLine(cluster.View.SelfAddress.ToString()));
                        Console.Out.Flush();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion,
                    TaskScheduler.Default);
            }

            Task stopSignal = server.WaitForStopSignalAsync();
            Task first = await Task.WhenAny(stopSignal, server.LeaveRequested, server.WhenDowned).ConfigureAwait(false);
            if (first == server.WhenDowned && !stopSignal.IsCompleted)
            {
                await Console.Out.WriteLineAsync(DownedLine).ConfigureAwait(false);
                await Console.Out.FlushAsync().ConfigureAwait(false);
                exitCode = 3;
            }

            // Cluster mode: StopAsync leaves the cluster first (bounded), unless the node was downed.
            await server.StopAsync().ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>The line printed on stdout when the node has become an Up member; scripts wait for it.</summary>
    public static string MemberUpLine(string uniqueAddress) => "actorlsm-server cluster member up " + uniqueAddress;

    /// <summary>The line printed on stdout when the cluster downed this node (exit code 3 follows).</summary>
    public const string DownedLine = "actorlsm-server downed, stopping";
}
