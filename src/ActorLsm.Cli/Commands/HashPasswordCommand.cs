using System.CommandLine;
using ActorLsm.Protocol.Security;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// <c>actorlsm hash-password [--password P] [--iterations N]</c>: prints a salted PBKDF2 hash
/// (<c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>, <see cref="PasswordHash"/>) for a user's <c>password-hash</c> in
/// <c>actorlsm.security.users</c>. Without <c>--password</c> it reads the password as the first line of stdin.
/// </summary>
internal static class HashPasswordCommand
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = $"PBKDF2 iterations ({PasswordHash.MinIterations}..{PasswordHash.MaxIterations})", DefaultValueFactory = _ => PasswordHash.DefaultIterations };
        var command = new Command("hash-password", "Print the salted PBKDF2-SHA256 hash of a password (the password from --password, else the first line of stdin).") { iterations };
        command.SetAction((parse, cancellationToken) => CommandSupport.RunAsync(parse, "hash-password", async (output, _) =>
        {
            string? password = parse.GetValue(ConnectionOptions.Password) ?? await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(password))
            {
                throw new UsageException("no password: pass --password or write it as the first line of stdin");
            }

            int n = parse.GetValue(iterations);
            if (n < PasswordHash.MinIterations || n > PasswordHash.MaxIterations)
            {
                throw new UsageException($"--iterations must be between {PasswordHash.MinIterations} and {PasswordHash.MaxIterations}");
            }

            await output.WriteLineAsync(PasswordHash.Create(password, n)).ConfigureAwait(false);
            return CommandSupport.ExitOk;
        }, cancellationToken));
        return command;
    }
}
