namespace ActorLsm.Kernel;

/// <summary>
/// The root <c>/</c>: parent of <c>/user</c> and <c>/system</c>. It stops (ending the system) when <c>/user</c>
/// stops, and stops any guardian that fails or escalates.
/// </summary>
internal sealed class RootGuardian : ActorBase
{
    protected override void PreStart()
    {
        if (Context.Child("user") is { } user)
        {
            Context.Watch(user);
        }
    }

    protected override bool Receive(object message)
    {
        if (message is Terminated)
        {
            Context.Stop(Self);
            return true;
        }

        return false;
    }

    protected override SupervisorStrategy SupervisorStrategy() => Kernel.SupervisorStrategy.StoppingStrategy;
}

/// <summary><c>/user</c> and <c>/system</c>: they only supervise, with the system's default strategy.</summary>
internal sealed class Guardian : ActorBase
{
    protected override bool Receive(object message) => false;
}
