using System.CommandLine;
using System.Globalization;
using ActorLsm.Cli.Ycsb;
using ActorLsm.Client;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// What the client commands share: the <c>--endpoint</c> option and its parsing, exit codes, and
/// turning any failure into one line on stderr (never a stack trace).
/// </summary>
internal static class CommandSupport
{
    public const string DefaultEndpoint = "127.0.0.1:7400";

    public const int ExitOk = 0;

    /// <summary>The operation failed (not found, node error, connection failure, failed inserts).</summary>
    public const int ExitFailure = 1;

    /// <summary>Bad command-line arguments or workload properties.</summary>
    public const int ExitUsage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int ExitCancelled = 130;

    /// <summary>A new <c>--endpoint host:port</c> option (default <see cref="DefaultEndpoint"/>).</summary>
    public static Option<string> CreateEndpointOption() => new("--endpoint")
    {
        Description = "Node address as host:port, or several comma-separated (the client routes each key to its shard's leader)",
        DefaultValueFactory = _ => DefaultEndpoint,
    };

    /// <summary>
    /// Validates <c>host:port</c> (an IPv6 host in brackets: <c>[::1]:7400</c>); returns it trimmed.
    /// </summary>
    /// <exception cref="UsageException">No host, no port, or a port outside 1..65535.</exception>
    public static string ParseEndpoint(string? text)
    {
        string endpoint = (text ?? string.Empty).Trim();
        int colon = endpoint.LastIndexOf(':');
        string host = colon > 0 ? endpoint[..colon] : string.Empty;
        string port = colon >= 0 ? endpoint[(colon + 1)..] : string.Empty;
        bool bracketed = host.StartsWith('[') && host.EndsWith(']') && host.Length > 2;
        bool hostOk = host.Length > 0 && (bracketed || !host.Contains(':', StringComparison.Ordinal)) && !host.Any(char.IsWhiteSpace);
        if (!hostOk || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
        {
            throw new UsageException($"--endpoint expects host:port with a port in 1..65535, got '{text}'");
        }

        return endpoint;
    }

    /// <summary>Validates a comma-separated list of <c>host:port</c> (each as <see cref="ParseEndpoint"/>); empty items are an error.</summary>
    /// <exception cref="UsageException">An item is not host:port.</exception>
    public static string[] ParseEndpoints(string? text)
    {
        string[] items = (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        return [.. items.Select(ParseEndpoint)];
    }

    /// <summary>
    /// Runs <paramref name="body"/> with the invocation's output writer; maps exceptions to an exit
    /// code and one line <c>actorlsm COMMAND: message</c> on the error writer.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, string command, Func<TextWriter, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        TextWriter error = parse.InvocationConfiguration.Error;
        try
        {
            return await body(output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            (int code, string message) = Describe(e, cancellationToken);
            Fail(error, command, message);
            return code;
        }
        finally
        {
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="RunAsync"/> with an <see cref="ActorLsmClient"/> of the node named by
    /// <paramref name="endpointOption"/>, disposed afterwards.
    /// </summary>
    public static Task<int> WithClientAsync(ParseResult parse, string command, Option<string> endpointOption, Func<ActorLsmClient, TextWriter, CancellationToken, Task<int>> body, CancellationToken cancellationToken) =>
        RunAsync(parse, command, async (output, ct) =>
        {
            string[] endpoints = ParseEndpoints(parse.GetValue(endpointOption));
            string endpoint = string.Join(',', endpoints);
            var client = new ActorLsmClient(ConnectionOptions.ClientOptions(parse, endpoints));
            try
            {
                return await body(client, output, ct).ConfigureAwait(false);
            }
            catch (ActorLsmConnectionException e)
            {
                throw new ActorLsmConnectionException($"cannot reach {endpoint}: {e.Message}", e);
            }
            finally
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>Writes <c>actorlsm COMMAND: message</c> (<c>actorlsm: message</c> without a command) as one line.</summary>
    public static void Fail(TextWriter error, string command, string message) =>
        error.WriteLine($"actorlsm{(command.Length > 0 ? " " + command : "")}: {message.ReplaceLineEndings(" ").Trim()}");

    /// <summary>The exit code and message for a failure.</summary>
    public static (int Code, string Message) Describe(Exception e, CancellationToken cancellationToken) => e switch
    {
        UsageException or WorkloadPropertyException => (ExitUsage, e.Message),
        ArgumentException => (ExitUsage, $"invalid argument: {e.Message}"),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCancelled, "cancelled"),
        ActorLsmConnectionException => (ExitFailure, e.Message),
        System.Security.Authentication.AuthenticationException => (ExitFailure, $"TLS: {e.Message}"),
        ActorLsmException => (ExitFailure, $"node error {e.Message}"),
        TimeoutException => (ExitFailure, $"timed out: {e.Message}"),
        _ => (ExitFailure, $"{e.GetType().Name}: {e.Message}"),
    };
}
