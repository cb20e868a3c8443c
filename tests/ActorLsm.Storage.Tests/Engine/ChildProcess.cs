using System.Diagnostics;

namespace ActorLsm.Storage.Tests.Engine;

/// <summary>Starts the crash-test child (tests/ActorLsm.Storage.CrashChild) built beside this test assembly's configuration.</summary>
internal static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ChildDll());
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the crash child");
    }

    private static string ChildDll()
    {
        // .../tests/ActorLsm.Storage.Tests/bin/<Configuration>/net10.0/ → the child's bin folder.
        string baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string framework = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        string testsDir = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", ".."));
        string dll = Path.Combine(testsDir, "ActorLsm.Storage.CrashChild", "bin", configuration, framework, "ActorLsm.Storage.CrashChild.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"crash child not built at {dll}");
    }
}
