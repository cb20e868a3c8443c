using ActorLsm.Server.Tests.Support;

namespace ActorLsm.Server.Tests.Security;

/// <summary>
/// Certificates made by deploy/make-certs.sh (the script users run) in a temporary directory: a CA with
/// certificates <c>node1..node3</c> and <c>client</c>, and a second, unrelated CA with a <c>rogue</c>
/// certificate (for refusals). Shared by a test class through <see cref="IClassFixture{T}"/>.
/// </summary>
public sealed class TestCertificates : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    /// <summary>Directory of the trusted CA and its certificates.</summary>
    public string Dir => Path.Combine(_dir.Path, "good");

    /// <summary>Directory of the other CA and its <c>rogue</c> certificate.</summary>
    public string RogueDir => Path.Combine(_dir.Path, "rogue");

    public string Ca => Path.Combine(Dir, "ca.pem");

    public string Pem(string name) => Path.Combine(Dir, name + ".pem");

    public string Key(string name) => Path.Combine(Dir, name + ".key");

    public string Pfx(string name) => Path.Combine(Dir, name + ".pfx");

    /// <summary>
    /// HOCON for TLS with the certificate of <paramref name="name"/> (its PFX, as Akka's DotNetty side would take
    /// it) and the trusted CA, with <paramref name="switches"/> (e.g. <c>client-listener = on</c>).
    /// </summary>
    public string Hocon(string name, string switches) => $$"""
        actorlsm.tls {
          certificate = "{{Pfx(name)}}"
          ca = "{{Ca}}"
          {{switches}}
        }
        """;

    public async Task InitializeAsync()
    {
        foreach (string name in new[] { "node1", "node2", "node3", "client" })
        {
            await MakeAsync(Dir, name);
        }

        await MakeAsync(RogueDir, "rogue");
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private static async Task MakeAsync(string dir, string name)
    {
        (int code, string stdout, string stderr) = await RepoTools.RunAsync(
            "bash", [Path.Combine(RepoTools.Root, "deploy", "make-certs.sh"), "-o", dir, name], new Dictionary<string, string>(), TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"make-certs.sh {name} exited {code}:\n{stdout}\n{stderr}");
    }
}
