namespace ActorLsm.Kernel;

/// <summary>Well-known refs (Akka.NET's <c>ActorRefs</c>).</summary>
public static class ActorRefs
{
    /// <summary>
    /// "No sender": pass it to <see cref="IActorRef.Tell"/> when there is nobody to reply to.
    /// It is <see langword="null"/>; recipients see <see cref="ActorSystem.DeadLetters"/> as their Sender.
    /// </summary>
    public static readonly IActorRef? NoSender;
}
