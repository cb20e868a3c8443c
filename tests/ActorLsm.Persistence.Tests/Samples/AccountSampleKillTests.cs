using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorLsm.Samples.Account;
using Xunit.Abstractions;

namespace ActorLsm.Persistence.Tests.Samples;

/// <summary>
/// The account sample as real processes: it deposits and prints each acknowledged deposit; the test kills it
/// with SIGKILL mid-run, restarts it, and checks that every acknowledged deposit was recovered. Embedded mode
/// (one process, the journal in its working directory) and cluster mode (three member processes holding the
/// replicated store; the depositing member is killed and restarted). The sample is configured exactly as
/// the top-level README's "Persistence" section shows (<see cref="ReadmeSnippetTests"/> checks that).
/// </summary>
public sealed partial class AccountSampleKillTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;
    private readonly TestDirectory _dir = new();
    private readonly List<Process> _processes = [];

    public AccountSampleKillTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        foreach (Process p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }

        _dir.Dispose();
    }

    [Theory]
    [InlineData("hosting")]
    [InlineData("hocon")]
    public async Task AccountSample_EmbeddedKill9MidRunThenRestart_EveryAcknowledgedDepositIsRecovered(string config)
    {
        string[] options = ["--config", config];
        long acknowledged = await DepositUntilKilledAsync(_dir.Path, options, afterAcknowledged: 200);
        await AssertRecoveredAsync(_dir.Path, options, acknowledged);
    }

    [Fact]
    public async Task AccountSample_ClusterKill9OfTheDepositingMemberThenRestart_EveryAcknowledgedDepositIsRecovered()
    {
        int[] ports = [TestDirectory.FreePort(), TestDirectory.FreePort(), TestDirectory.FreePort()];
        string seeds = string.Join(',', ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        string[] dirs = [.. Enumerable.Range(0, 3).Select(i => Directory.CreateDirectory(Path.Combine(_dir.Path, "member" + i)).FullName)];
        string[] Member(int i, string config) => ["--port", ports[i].ToString(CultureInfo.InvariantCulture), "--seeds", seeds, "--config", config, "--extra-hocon", TestTimings];

        // Two members that only hold the store (one configured by the Hosting call, one by the HOCON), and a
        // third that holds it too and deposits.
        var serverLog = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Drain(Start(dirs[0], "serve", Member(0, "hosting")), "member0", serverLog);
        Drain(Start(dirs[1], "serve", Member(1, "hocon")), "member1", serverLog);
        try
        {
            long acknowledged = await DepositUntilKilledAsync(dirs[2], Member(2, "hosting"), afterAcknowledged: 50);

            // The same member comes back (same port, same data directory), a new incarnation, and recovers the account.
            await AssertRecoveredAsync(dirs[2], Member(2, "hocon"), acknowledged);
        }
        catch
        {
            _output.WriteLine("the other members' output:\n" + string.Join('\n', serverLog));
            throw;
        }
    }

    /// <summary>Reads <paramref name="process"/>'s output into <paramref name="log"/> as it comes, so its pipes never fill.</summary>
    private static void Drain(Process process, string name, System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        process.OutputDataReceived += (_, e) => log.Enqueue($"{name}: {e.Data}");
        process.ErrorDataReceived += (_, e) => log.Enqueue($"{name}! {e.Data}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// Fast cluster timers for a test on 127.0.0.1 (the sample's defaults are Akka's), but with the failure
    /// detector's pause and the resolver's stable-after at 3 s: these are three separate processes that start
    /// (and JIT) while other test assemblies run, and 1.5 s + 2 s downed live members on a loaded 2-core machine.
    /// </summary>
    private static string TestTimings => FastClusterTimings.Hocon
        + "\nakka.cluster.seed-node-timeout = 1s\nakka.cluster.retry-unsuccessful-join-after = 1s\n"
        + "akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s\nakka.cluster.split-brain-resolver.stable-after = 3s\n";

    private async Task AssertRecoveredAsync(string workingDirectory, string[] options, long acknowledged)
    {
        (int exit, List<string> lines) = await RunToEndAsync(workingDirectory, "show", options);
        _output.WriteLine(string.Join('\n', lines));
        Assert.Equal(0, exit);
        Match state = StateLine().Match(lines.FirstOrDefault(l => l.StartsWith("account ", StringComparison.Ordinal)) ?? string.Empty);
        Assert.True(state.Success, string.Join('\n', lines));
        long last = long.Parse(state.Groups["last"].Value, CultureInfo.InvariantCulture);
        long deposits = long.Parse(state.Groups["deposits"].Value, CultureInfo.InvariantCulture);

        Assert.True(last >= acknowledged, $"recovered up to deposit {last}, but {acknowledged} was acknowledged");
        Assert.Equal("True", state.Groups["contiguous"].Value);
        Assert.Equal(last, deposits);
        Assert.Equal(last.ToString(CultureInfo.InvariantCulture), state.Groups["balance"].Value);

        // Every acknowledged deposit is in the tag index too (wait-for-index = on). A deposit stored but not
        // acknowledged when the kill came may lack its index entry (FORMAT.md "Consistency of the indexes").
        long tagged = long.Parse(lines.First(l => l.StartsWith("tagged deposits: ", StringComparison.Ordinal))["tagged deposits: ".Length..], CultureInfo.InvariantCulture);
        Assert.InRange(tagged, acknowledged, deposits);
    }

    /// <summary>Starts <c>deposit</c>, waits for "acknowledged N" with N &gt;= <paramref name="afterAcknowledged"/>, kills it with SIGKILL; the highest N it printed.</summary>
    private async Task<long> DepositUntilKilledAsync(string workingDirectory, string[] options, long afterAcknowledged)
    {
        Process process = Start(workingDirectory, "deposit", options);
        long highest = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                Match m = AcknowledgedLine().Match(line);
                if (m.Success)
                {
                    highest = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    if (highest >= afterAcknowledged)
                    {
                        enough.TrySetResult();
                    }
                }
            }

            enough.TrySetResult();
        });
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        try
        {
            await enough.Task.WaitAsync(s_timeout);
            Assert.False(process.HasExited, "the sample exited on its own");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(); // SIGKILL on Linux (the sample is one process: dotnet runs it in-process)
            }
        }

        await process.WaitForExitAsync().WaitAsync(s_timeout);
        await stdout.WaitAsync(s_timeout); // every line printed before the kill
        _output.WriteLine($"killed with SIGKILL after {watch.ElapsedMilliseconds} ms and {highest} acknowledged deposits, exit code {process.ExitCode}");
        Assert.True(highest >= afterAcknowledged, $"only {highest} deposits acknowledged: {await stderr}");
        return highest;
    }

    private async Task<(int Exit, List<string> Lines)> RunToEndAsync(string workingDirectory, string command, string[] options)
    {
        Process process = Start(workingDirectory, command, options);
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Drain(process, command, printed);
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new TimeoutException($"'{command}' did not finish within {s_timeout.TotalSeconds} s; it printed:\n{string.Join('\n', printed)}");
        }

        process.WaitForExit(); // the output pipes are drained to their end
        _output.WriteLine(string.Join('\n', printed.Where(l => l.StartsWith(command + "!", StringComparison.Ordinal))));
        return (process.ExitCode, [.. printed.Where(l => l.StartsWith(command + ":", StringComparison.Ordinal)).Select(l => l[(command.Length + 1)..].Trim()).Where(l => l.Length > 0)]);
    }

    /// <summary>Starts the sample in <paramref name="workingDirectory"/> (its data goes under it); killed at the test's end if still running.</summary>
    private Process Start(string workingDirectory, string command, string[] options)
    {
        string dll = typeof(AccountActor).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(command);
        foreach (string o in options)
        {
            info.ArgumentList.Add(o);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        _processes.Add(process);
        return process;
    }

    [GeneratedRegex(@"^acknowledged (\d+) balance \d+$")]
    private static partial Regex AcknowledgedLine();

    [GeneratedRegex(@"^account \S+: deposits=(?<deposits>\d+) last=(?<last>\d+) contiguous=(?<contiguous>\w+) balance=(?<balance>\d+)$")]
    private static partial Regex StateLine();
}
