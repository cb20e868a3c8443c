using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;

namespace ActorLsm.Benchmarks.Actors;

/// <summary>
/// <c>remote-pingpong</c>: the cost of one message round trip over Akka.Remote (DotNetty TCP on
/// 127.0.0.1) between two actor systems of this process, against the same round trip between two
/// actors of one system. It is the floor under every replicated write, which crosses Akka.Remote
/// twice per follower (AppendRecords out, AppendAck back; src/ActorLsm.Cluster/PROTOCOL.md).
/// </summary>
/// <remarks>
/// Usage: <c>remote-pingpong [--round-trips 50000] [--in-flight 1,8,64] [--hocon TEXT]</c>; <c>--hocon</c> goes in
/// front of both systems' configuration (e.g. <c>akka.remote.dot-netty.tcp.batching.enabled = off</c>). For each in-flight depth
/// K a pinger keeps K messages (boxed longs, Akka.Remote's own primitive serializer) outstanding
/// to an echo actor until the round trips are done, after an unmeasured warm-up of as many. Prints
/// round trips per second, wall and process CPU microseconds per round trip, and context switches per
/// round trip (/proc/self/status), one row per transport and depth. Akka 1.5.73 defaults apart
/// from the address; the shape of Akka.NET's RemotePingPong benchmark.
/// </remarks>
public static class RemotePingPongProgram
{
    /// <summary>Parses <paramref name="args"/>, runs, prints a markdown table; 0 on success, 2 on bad arguments.</summary>
    public static async Task<int> MainAsync(string[] args)
    {
        int roundTrips = 50_000;
        int[] depths = [1, 8, 64];
        string hocon = string.Empty;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--round-trips": roundTrips = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--in-flight": depths = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--hocon": hocon = Next(); break;
                default:
                    await Console.Error.WriteLineAsync($"remote-pingpong: unknown argument {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }

        if (roundTrips < 1 || depths.Any(d => d < 1))
        {
            await Console.Error.WriteLineAsync("remote-pingpong: --round-trips and every --in-flight depth must be >= 1").ConfigureAwait(false);
            return 2;
        }

        Config remote = ConfigurationFactory.ParseString(hocon).WithFallback(ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.loglevel = WARNING
            """));
        using ActorSystem pingSystem = ActorSystem.Create("ping", remote);
        using ActorSystem echoSystem = ActorSystem.Create("echo", remote);
        echoSystem.ActorOf(Props.Create(() => new EchoActor()), "echo");
        Address echoAddress = ((ExtendedActorSystem)echoSystem).Provider.DefaultAddress;
        IActorRef remoteEcho = await pingSystem.ActorSelection(new RootActorPath(echoAddress) / "user" / "echo")
            .ResolveOne(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        IActorRef localEcho = pingSystem.ActorOf(Props.Create(() => new EchoActor()), "echo");

        Console.WriteLine($"{roundTrips} round trips per row after as many unmeasured; {Environment.ProcessorCount} cores; Akka 1.5.73, {(hocon.Length == 0 ? "defaults" : "with: " + hocon.ReplaceLineEndings(" "))}");
        Console.WriteLine();
        Console.WriteLine("| transport | in flight | round trips/s | wall us per round trip | CPU us per round trip | context switches per round trip |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach ((string name, IActorRef echo) in new[] { ("in-process", localEcho), ("Akka.Remote (loopback TCP)", remoteEcho) })
        {
            foreach (int depth in depths)
            {
                await RunAsync(pingSystem, echo, roundTrips, depth).ConfigureAwait(false); // warm-up
                long switches0 = ContextSwitches();
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                await RunAsync(pingSystem, echo, roundTrips, depth).ConfigureAwait(false);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
                long switches = ContextSwitches() - switches0;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {name} | {depth} | {roundTrips / seconds:N0} | {seconds * 1e6 / roundTrips:F1} | {cpuUs / roundTrips:F1} | {(double)switches / roundTrips:F2} |"));
            }
        }

        await pingSystem.Terminate().ConfigureAwait(false);
        await echoSystem.Terminate().ConfigureAwait(false);
        return 0;
    }

    private static Task RunAsync(ActorSystem system, IActorRef echo, int roundTrips, int depth)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new PingActor(echo, roundTrips, depth, done)));
        return done.Task;
    }

    /// <summary>Voluntary plus involuntary context switches of this process's threads so far (Linux; 0 elsewhere).</summary>
    private static long ContextSwitches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        long total = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading: its switches are no longer counted either way.
            }
        }

        return total;
    }

    /// <summary>Replies to every message with the message itself.</summary>
    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }

    /// <summary>Keeps <c>depth</c> messages outstanding to the echo actor until <c>roundTrips</c> replies came back, then completes and stops.</summary>
    private sealed class PingActor : ReceiveActor
    {
        private readonly IActorRef _echo;
        private readonly long _roundTrips;
        private readonly int _depth;
        private readonly TaskCompletionSource _done;
        private long _sent;
        private long _received;

        public PingActor(IActorRef echo, long roundTrips, int depth, TaskCompletionSource done)
        {
            _echo = echo;
            _roundTrips = roundTrips;
            _depth = depth;
            _done = done;
            Receive<long>(_ =>
            {
                _received++;
                if (_sent < _roundTrips)
                {
                    _echo.Tell(_sent++);
                }
                else if (_received == _roundTrips)
                {
                    _done.TrySetResult();
                    Context.Stop(Self);
                }
            });
        }

        protected override void PreStart()
        {
            for (int i = 0; i < _depth && _sent < _roundTrips; i++)
            {
                _echo.Tell(_sent++);
            }
        }
    }
}
