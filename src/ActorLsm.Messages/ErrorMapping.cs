using ActorLsm.Protocol;

namespace ActorLsm;

/// <summary>The one mapping from an error code to the exception <see cref="IActorLsm"/> documents.</summary>
public static class ErrorMapping
{
    /// <summary>
    /// INVALID_ARGUMENT → <see cref="ArgumentException"/>; OVERLOADED → <see cref="ActorLsmOverloadedException"/>;
    /// NOT_ENOUGH_REPLICAS → <see cref="ActorLsmNotEnoughReplicasException"/>; every other code →
    /// <see cref="ActorLsmException"/> carrying the code.
    /// </summary>
    public static Exception ToException(ErrorCode code, string message) => code switch
    {
        ErrorCode.InvalidArgument => new ArgumentException($"the node rejected the request: {message}"),
        ErrorCode.Overloaded => new ActorLsmOverloadedException(message),
        ErrorCode.NotEnoughReplicas => new ActorLsmNotEnoughReplicasException(message),
        _ => new ActorLsmException(code, message),
    };
}
