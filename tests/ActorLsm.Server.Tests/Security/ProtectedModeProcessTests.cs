using ActorLsm.Server.Tests.Support;

namespace ActorLsm.Server.Tests.Security;

/// <summary>actorlsm-server as a user runs it: protected mode refuses a non-loopback bind without users.</summary>
public sealed class ProtectedModeProcessTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_AllInterfacesWithoutUsers_ExitTwoWithOneLineSayingWhy()
    {
        string conf = Path.Combine(_dir.Path, "open.conf");
        File.WriteAllText(conf, "actorlsm.server.host = \"0.0.0.0\"\n");

        (int code, string stderr) = await ServerProcess.RunToExitAsync("--config", conf, "--data-dir", Path.Combine(_dir.Path, "data"), "--port", "0");

        Assert.Equal(2, code);
        string line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"{conf}:1: actorlsm.server.host: protected mode: refusing to listen on 0.0.0.0", line, StringComparison.Ordinal);
        Assert.Contains("actorlsm.security.users", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "data")), "nothing was opened");
    }
}
