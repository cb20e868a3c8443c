using System.Globalization;
using Xunit.Abstractions;

namespace ActorLsm.Jepsen.Tests.Harness;

/// <summary>
/// The harness's log: each line, with the seconds since the run began, goes to the test output and,
/// when ACTORLSM_JEPSEN_LOG names a file, is appended there at once (the soak script tails it).
/// </summary>
internal sealed class RunLog
{
    private readonly ITestOutputHelper _output;
    private readonly string? _file = Environment.GetEnvironmentVariable("ACTORLSM_JEPSEN_LOG");
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public RunLog(ITestOutputHelper output) => _output = output;

    public void Write(string line)
    {
        string stamped = string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:F1}s] {line}");
        lock (_lock)
        {
            try
            {
                _output.WriteLine(stamped);
            }
            catch (InvalidOperationException)
            {
                // the test has ended; the file still gets the line
            }

            if (_file is not null)
            {
                File.AppendAllText(_file, stamped + "\n");
            }
        }
    }

    /// <summary>An integer from environment variable <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
