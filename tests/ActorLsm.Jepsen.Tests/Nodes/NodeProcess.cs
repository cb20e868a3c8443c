using System.Diagnostics;
using System.Globalization;
using ActorLsm.Jepsen.Tests.Net;

namespace ActorLsm.Jepsen.Tests.Nodes;

/// <summary>
/// One <c>actorlsm-server</c> process inside a node namespace, started as
/// <c>ip netns exec NS dotnet actorlsm-server.dll --config FILE --data-dir DIR</c> through <c>sh -c exec</c>,
/// so the PID the harness holds is the server's own (kill -9, SIGSTOP and SIGCONT reach it, not a wrapper).
/// Its stdout and stderr are appended to one log file across restarts.
/// </summary>
internal sealed class NodeProcess
{
    private Process? _process;

    /// <summary>REQUIRES: <paramref name="configFile"/> exists; <paramref name="ns"/> is a lab namespace.</summary>
    public NodeProcess(int index, string ns, string address, string configFile, string dataDir, string logFile)
    {
        Index = index;
        Namespace = ns;
        Address = address;
        ConfigFile = configFile;
        DataDir = dataDir;
        LogFile = logFile;
    }

    /// <summary>1-based node number.</summary>
    public int Index { get; }

    public string Namespace { get; }

    /// <summary>The node's address in the lab (clients reach it at Address:7400, peers at Address:2551).</summary>
    public string Address { get; }

    public string ConfigFile { get; }

    public string DataDir { get; }

    public string LogFile { get; }

    /// <summary>The client endpoint, <c>Address:7400</c>.</summary>
    public string Endpoint => Address + ":" + ClusterLayout.ClientPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>The remoting address as the cluster status names it, <c>Address:2551</c>.</summary>
    public string RemoteAddress => Address + ":" + ClusterLayout.RemotePort.ToString(CultureInfo.InvariantCulture);

    /// <summary>True while SIGSTOPped by the harness.</summary>
    public bool Paused { get; private set; }

    /// <summary>True when started and not yet exited.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>The process's exit code, when it has exited; else null.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>PID of the running server, or -1.</summary>
    public int Pid => Running ? _process!.Id : -1;

    /// <summary>Starts the server. REQUIRES: not <see cref="Running"/>.</summary>
    public void Start(string serverDll)
    {
        if (Running)
        {
            throw new InvalidOperationException($"node{Index} already runs (pid {_process!.Id})");
        }

        _process?.Dispose();
        File.AppendAllText(LogFile, $"==== harness: start node{Index} at {DateTime.UtcNow:O}\n");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec ip netns exec {Quote(Namespace)} dotnet {Quote(serverDll)} --config {Quote(ConfigFile)} --data-dir {Quote(DataDir)} >>{Quote(LogFile)} 2>&1 </dev/null");
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start /bin/sh");
        _process.StandardInput.Close();
        Paused = false;
    }

    /// <summary>SIGKILL (no shutdown code runs) and waits for the exit. No-op when not running.</summary>
    public void Kill()
    {
        if (!Running)
        {
            return;
        }

        File.AppendAllText(LogFile, $"==== harness: kill -9 node{Index} at {DateTime.UtcNow:O}\n");
        Signal("KILL");
        _process!.WaitForExit(TimeSpan.FromSeconds(30));
        Paused = false;
    }

    /// <summary>SIGSTOP: the process keeps its sockets but runs no code (a long GC pause).</summary>
    public void Pause()
    {
        File.AppendAllText(LogFile, $"==== harness: SIGSTOP node{Index} at {DateTime.UtcNow:O}\n");
        Signal("STOP");
        Paused = true;
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        Signal("CONT");
        Paused = false;
        File.AppendAllText(LogFile, $"==== harness: SIGCONT node{Index} at {DateTime.UtcNow:O}\n");
    }

    /// <summary>The last <paramref name="lines"/> lines of the log (for failure messages).</summary>
    public string Tail(int lines)
    {
        if (!File.Exists(LogFile))
        {
            return "(no log)";
        }

        string[] all = File.ReadAllLines(LogFile);
        return string.Join('\n', all.TakeLast(lines));
    }

    private void Signal(string signal)
    {
        if (Running)
        {
            Shell.TryRun("kill", "-" + signal, _process!.Id.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
