using ActorLsm.Benchmarks.Actors;
using ActorLsm.Benchmarks.Persistence;
using BenchmarkDotNet.Running;

// `journal-bench ...`: the Akka.Persistence journal benchmark (Persistence/JournalBenchProgram.cs);
// `remote-pingpong ...`: round trips over Akka.Remote (Actors/RemotePingPongProgram.cs);
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "journal-bench")
{
    return await JournalBenchProgram.MainAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "remote-pingpong")
{
    return await RemotePingPongProgram.MainAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
