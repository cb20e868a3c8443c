namespace ActorLsm.Hosting;

/// <summary>
/// Marker type under which <see cref="ActorLsmHostingExtensions.WithActorLsm"/> and
/// <see cref="ActorLsmHostingExtensions.WithActorLsmProxy"/> register the store's router actor in
/// Akka.Hosting's <c>ActorRegistry</c>: inject <c>IRequiredActor&lt;ActorLsmRouter&gt;</c> and Tell its
/// <c>ActorRef</c> the messages of <c>ActorLsm.Messages</c> (<c>Put</c>, <c>Get</c>, <c>Delete</c>,
/// <c>Scan</c>, <c>WriteBatch</c>). It answers the sender with exactly one reply each: the request's
/// result record (<c>PutResult</c>, <c>GetResult</c>, ...) or <c>ActorLsmError</c>; never an exception.
/// </summary>
public sealed class ActorLsmRouter
{
    private ActorLsmRouter()
    {
    }
}
