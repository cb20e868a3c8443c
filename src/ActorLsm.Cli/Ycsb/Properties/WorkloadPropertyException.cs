namespace ActorLsm.Cli.Ycsb;

/// <summary>A workload property file or <c>-p</c> override is unreadable, malformed, or names an unsupported setting.</summary>
public sealed class WorkloadPropertyException : Exception
{
    public WorkloadPropertyException()
    {
    }

    public WorkloadPropertyException(string message)
        : base(message)
    {
    }

    public WorkloadPropertyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
