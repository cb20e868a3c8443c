using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorLsm.Server.Hosting;

namespace ActorLsm.Server.Tests.Support;

/// <summary>
/// actorlsm-server as a child process (<c>dotnet actorlsm-server.dll ...</c>), built beside this test
/// assembly's configuration. Ready once it prints its listening line; stderr (the log) is kept for
/// failure messages.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _memberUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary><c>127.0.0.1:port</c> from the ready line.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Completes with the node's unique address once it prints that it is an up cluster member (cluster mode).</summary>
    public Task<string> WhenMemberUp => _memberUp.Task;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the server and waits for its ready line; throws with its stderr when it exits first.</summary>
    public static Task<ServerProcess> StartAsync(params string[] args) => StartInAsync(null, args);

    /// <summary>
    /// As <see cref="StartAsync"/>, in <paramref name="workingDirectory"/> (null: this process's), where
    /// relative paths of the configuration (certificates, data) resolve.
    /// </summary>
    public static async Task<ServerProcess> StartInAsync(string? workingDirectory, params string[] args)
    {
        ServerProcess server = Launch(args);
        if (workingDirectory is not null)
        {
            server.Process.StartInfo.WorkingDirectory = workingDirectory;
        }

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string prefix = ServerCommand.ReadyLine("");
        string upPrefix = ServerCommand.MemberUpLine("");
        server.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith(prefix, StringComparison.Ordinal))
            {
                ready.TrySetResult(line[prefix.Length..]);
            }
            else if (e.Data is { } up && up.StartsWith(upPrefix, StringComparison.Ordinal))
            {
                server._memberUp.TrySetResult(up[upPrefix.Length..]);
            }
        };
        server.Process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"actorlsm-server exited with {server.Process.ExitCode} before it was ready:\n{server.Stderr}"));
        server.Begin();
        try
        {
            server.Endpoint = await ready.Task.WaitAsync(s_startTimeout);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs the server to its exit (for arguments that must fail); returns the exit code and stderr.</summary>
    public static async Task<(int ExitCode, string Stderr)> RunToExitAsync(params string[] args)
    {
        await using ServerProcess server = Launch(args);
        server.Begin();
        await server.Process.WaitForExitAsync().WaitAsync(s_startTimeout);
        server.Process.WaitForExit(); // drains the redirected streams
        return (server.Process.ExitCode, server.Stderr);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill() => Process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM with the <c>kill</c> command.</summary>
    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", Process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await Process.WaitForExitAsync().WaitAsync(timeout);
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        Process.Dispose();
    }

    private static ServerProcess Launch(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ServerDll());
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return new ServerProcess(new Process { StartInfo = psi, EnableRaisingEvents = true });
    }

    private void Begin()
    {
        Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        };
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    private static string ServerDll()
    {
        // .../tests/ActorLsm.Server.Tests/bin/<Configuration>/<framework>/ → src/ActorLsm.Server/bin/<Configuration>/<framework>/.
        string baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string framework = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        string repo = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", "..", ".."));
        string dll = Path.Combine(repo, "src", "ActorLsm.Server", "bin", configuration, framework, "actorlsm-server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"actorlsm-server not built at {dll}");
    }
}
