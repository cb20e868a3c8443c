using System.Net;
using System.Net.Sockets;

namespace ActorLsm.Testing;

/// <summary>A fresh directory under the temp directory, deleted on dispose (shared by the hosting and persistence test projects, linked as source).</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "actorlsm-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>A free TCP port on 127.0.0.1: bound, read, released.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a store still open after a simulated crash or a slow shutdown stays in the temp directory.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
