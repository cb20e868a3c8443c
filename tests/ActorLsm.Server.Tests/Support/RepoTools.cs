using System.Diagnostics;
using System.Text;

namespace ActorLsm.Server.Tests.Support;

/// <summary>
/// Paths into the repository this test assembly was built from, and a bounded runner for its scripts
/// and executables (the local-cluster script, the <c>actorlsm</c> CLI).
/// </summary>
internal static class RepoTools
{
    /// <summary>The repository root: the nearest directory above the test assembly holding ActorLsm.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of this test assembly (Release or Debug); the server and CLI are built the same way.</summary>
    private static string Configuration => Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!);

    private static string Framework => Path.GetFileName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>The <c>actorlsm-server</c> executable (apphost) of this configuration; throws when it is not built.</summary>
    public static string ServerExecutable => Existing(Path.Combine(Root, "src", "ActorLsm.Server", "bin", Configuration, Framework, "actorlsm-server"));

    /// <summary>The <c>actorlsm</c> CLI assembly of this configuration, run as <c>dotnet actorlsm.dll</c>; throws when it is not built.</summary>
    public static string CliDll => Existing(Path.Combine(Root, "src", "ActorLsm.Cli", "bin", Configuration, Framework, "actorlsm.dll"));

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="args"/> in the repository root, with
    /// <paramref name="environment"/> added, stdin closed; returns its exit code and output. Past
    /// <paramref name="timeout"/> the process tree is killed and <see cref="TimeoutException"/> names the output so far.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment)
        {
            psi.Environment[key] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} did not exit within {timeout}:\n{Text(stdout)}\n{Text(stderr)}");
        }

        process.WaitForExit(); // drains the redirected streams
        return (process.ExitCode, Text(stdout), Text(stderr));
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private static string Existing(string path) => File.Exists(path) ? path : throw new FileNotFoundException($"not built: {path}");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorLsm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no ActorLsm.sln above {AppContext.BaseDirectory}");
    }
}
