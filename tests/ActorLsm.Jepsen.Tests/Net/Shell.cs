using System.Diagnostics;
using System.Text;

namespace ActorLsm.Jepsen.Tests.Net;

/// <summary>
/// Runs system tools (<c>ip</c>, <c>iptables</c>, <c>kill</c>) to completion with a bound, capturing their
/// output. Every command the harness runs is also appended to <see cref="Trace"/>, so a failure report shows
/// what was done to the network and the processes.
/// </summary>
internal static class Shell
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Invoked with every command line run and its outcome (the harness logs it); may be null.</summary>
    public static Action<string>? Trace { get; set; }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; throws <see cref="InvalidOperationException"/> naming the command and its stderr when it exits non-zero.</summary>
    public static string Run(string file, params string[] args)
    {
        (int code, string stdout, string stderr) = TryRun(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` exited {code}: {stderr.Trim()}{stdout.Trim()}");
        }

        return stdout;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; returns exit code and output (127 when the tool is missing).</summary>
    public static (int ExitCode, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Trace?.Invoke($"$ {file} {string.Join(' ', args)} -> not runnable: {e.Message}");
            return (127, "", e.Message);
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(s_timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{file} {string.Join(' ', args)}` did not exit within {s_timeout.TotalSeconds} s");
            }

            process.WaitForExit();
            var line = new StringBuilder($"$ {file} {string.Join(' ', args)}");
            if (process.ExitCode != 0)
            {
                line.Append($" -> exit {process.ExitCode}: {stderr.Result.Trim()}");
            }

            Trace?.Invoke(line.ToString());
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
