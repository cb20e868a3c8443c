namespace ActorLsm.Cli.Commands;

/// <summary>A command-line argument is invalid (exit code 2); the message is shown as is.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
