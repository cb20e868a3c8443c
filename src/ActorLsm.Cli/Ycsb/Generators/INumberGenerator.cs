namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// A source of key numbers (or scan lengths). Implementations hold no randomness of their own:
/// each worker passes its own <see cref="Random"/>, so a generator can be shared by concurrent
/// workers and a run is reproducible per worker from its seed. Thread-safe.
/// </summary>
internal interface INumberGenerator
{
    long Next(Random random);
}
