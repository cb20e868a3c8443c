namespace ActorLsm.Kernel.Testing;

/// <summary>Thrown by probe expectations (ExpectMsg, ExpectNoMsg, ...) that are not met; any test runner reports it as a failure.</summary>
public sealed class TestKitAssertionException : Exception
{
    public TestKitAssertionException()
    {
    }

    public TestKitAssertionException(string message)
        : base(message)
    {
    }

    public TestKitAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
