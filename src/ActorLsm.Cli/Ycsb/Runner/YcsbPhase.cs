namespace ActorLsm.Cli.Ycsb;

/// <summary>YCSB's two phases: <c>load</c> inserts the initial records, <c>run</c> executes the operation mix.</summary>
internal enum YcsbPhase
{
    Load,
    Run,
}
