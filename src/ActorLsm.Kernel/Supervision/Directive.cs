namespace ActorLsm.Kernel;

/// <summary>A supervisor's answer to a child's failure (Akka.NET's <c>Directive</c>).</summary>
public enum Directive
{
    /// <summary>Keep the same instance and state; the failing message is dropped.</summary>
    Resume,

    /// <summary>Replace the instance with a fresh one from its <see cref="Props"/> (after the strategy's backoff); the mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the child permanently.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, so its own supervisor decides.</summary>
    Escalate,
}
