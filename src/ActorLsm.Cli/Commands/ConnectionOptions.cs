using System.CommandLine;
using ActorLsm.Client;

namespace ActorLsm.Cli.Commands;

/// <summary>
/// How the client commands reach a secured node, as options of every command (<c>Recursive</c> on the root):
/// <c>--user</c>/<c>--password</c> (or <c>ACTORLSM_USER</c>/<c>ACTORLSM_PASSWORD</c>), <c>--tls</c>,
/// <c>--tls-ca FILE</c> (implies <c>--tls</c>; or <c>ACTORLSM_TLS_CA</c>), <c>--tls-cert FILE</c>,
/// <c>--tls-key FILE</c>, <c>--tls-cert-password</c> and <c>--tls-server-name</c>. A flag wins over its variable.
/// </summary>
internal static class ConnectionOptions
{
    public static Option<string?> User { get; } = new("--user") { Description = "Authenticate as this user (env ACTORLSM_USER)", Recursive = true };

    public static Option<string?> Password { get; } = new("--password") { Description = "Password of --user (env ACTORLSM_PASSWORD; prefer the variable: flags show in ps)", Recursive = true };

    public static Option<bool> Tls { get; } = new("--tls") { Description = "Connect with TLS, checking the node's certificate against the machine's trust store or --tls-ca", Recursive = true };

    public static Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "PEM CA file the node's certificate must chain to; implies --tls (env ACTORLSM_TLS_CA)", Recursive = true };

    public static Option<string?> TlsCert { get; } = new("--tls-cert") { Description = "Client certificate to present (PEM with --tls-key, or .pfx/.p12)", Recursive = true };

    public static Option<string?> TlsKey { get; } = new("--tls-key") { Description = "PEM private key of --tls-cert", Recursive = true };

    public static Option<string?> TlsCertPassword { get; } = new("--tls-cert-password") { Description = "Password of a .pfx client certificate or an encrypted key", Recursive = true };

    public static Option<string?> TlsServerName { get; } = new("--tls-server-name") { Description = "Name the node's certificate must carry (default: the endpoint's host)", Recursive = true };

    /// <summary>Adds every option to <paramref name="root"/> (they then apply to all its commands).</summary>
    public static void AddTo(RootCommand root)
    {
        root.Options.Add(User);
        root.Options.Add(Password);
        root.Options.Add(Tls);
        root.Options.Add(TlsCa);
        root.Options.Add(TlsCert);
        root.Options.Add(TlsKey);
        root.Options.Add(TlsCertPassword);
        root.Options.Add(TlsServerName);
    }

    /// <summary>Client options for <paramref name="endpoints"/> from the flags and the environment.</summary>
    /// <exception cref="UsageException">A password without a user, or a certificate file that does not exist.</exception>
    public static ActorLsmClientOptions ClientOptions(ParseResult parse, IReadOnlyList<string> endpoints)
    {
        string? user = parse.GetValue(User) ?? Env("ACTORLSM_USER");
        string? password = parse.GetValue(Password) ?? Env("ACTORLSM_PASSWORD");
        if (user is null && password is not null)
        {
            throw new UsageException("--password (or ACTORLSM_PASSWORD) needs --user (or ACTORLSM_USER)");
        }

        string? ca = parse.GetValue(TlsCa) ?? Env("ACTORLSM_TLS_CA");
        string? cert = parse.GetValue(TlsCert);
        foreach (string? file in new[] { ca, cert, parse.GetValue(TlsKey) })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new UsageException($"no such file: {file}");
            }
        }

        bool tls = parse.GetValue(Tls) || ca is not null || cert is not null;
        return new ActorLsmClientOptions
        {
            Endpoints = endpoints,
            User = user,
            Password = user is null ? null : password ?? string.Empty,
            Tls = tls
                ? new ActorLsmClientTlsOptions
                {
                    CaPath = ca,
                    ClientCertificatePath = cert,
                    ClientKeyPath = parse.GetValue(TlsKey),
                    ClientCertificatePassword = parse.GetValue(TlsCertPassword),
                    TargetHost = parse.GetValue(TlsServerName),
                }
                : null,
        };
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
