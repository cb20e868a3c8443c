namespace ActorLsm.Fuzz;

/// <summary>A broken property of a decoder (no progress, a consumed-but-incomplete buffer, split-dependent results, unbounded allocation).</summary>
internal sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
