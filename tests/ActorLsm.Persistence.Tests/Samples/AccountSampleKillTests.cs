using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorLsm.Samples.Account;
using Xunit.Abstractions;

namespace ActorLsm.Persistence.Tests.Samples;

/// <summary>
/// The account sample as a real process: it deposits and prints each acknowledged deposit; the test kills it
/// with SIGKILL mid-run, restarts it, and checks that every acknowledged deposit was recovered.
/// </summary>
public sealed partial class AccountSampleKillTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(40);
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorlsm-account-" + Guid.NewGuid().ToString("N"));

    public AccountSampleKillTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public async Task AccountSample_Kill9MidRunThenRestart_EveryAcknowledgedDepositIsRecovered()
    {
        long acknowledged = await DepositUntilKilledAsync(afterAcknowledged: 200);
        _output.WriteLine($"killed after {acknowledged} acknowledged deposits");

        (int exit, List<string> lines) = await RunToEndAsync("show");
        Assert.Equal(0, exit);
        Match state = StateLine().Match(lines.First(l => l.StartsWith("account ", StringComparison.Ordinal)));
        Assert.True(state.Success, string.Join('\n', lines));
        long last = long.Parse(state.Groups["last"].Value, CultureInfo.InvariantCulture);
        long deposits = long.Parse(state.Groups["deposits"].Value, CultureInfo.InvariantCulture);
        _output.WriteLine(string.Join('\n', lines));

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
    private async Task<long> DepositUntilKilledAsync(long afterAcknowledged)
    {
        using Process process = Start("deposit");
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
        _output.WriteLine($"killed with SIGKILL, exit code {process.ExitCode}");
        Assert.True(highest >= afterAcknowledged, $"only {highest} deposits acknowledged: {await stderr}");
        return highest;
    }

    private async Task<(int Exit, List<string> Lines)> RunToEndAsync(string command)
    {
        using Process process = Start(command);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync().WaitAsync(s_timeout);
        await process.WaitForExitAsync().WaitAsync(s_timeout);
        _output.WriteLine(await stderr);
        return (process.ExitCode, [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
    }

    private Process Start(string command)
    {
        string dll = typeof(AccountActor).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(command);
        info.ArgumentList.Add("--data-dir");
        info.ArgumentList.Add(_dir);
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    [GeneratedRegex(@"^acknowledged (\d+) balance \d+$")]
    private static partial Regex AcknowledgedLine();

    [GeneratedRegex(@"^account \S+: deposits=(?<deposits>\d+) last=(?<last>\d+) contiguous=(?<contiguous>\w+) balance=(?<balance>\d+)$")]
    private static partial Regex StateLine();
}
