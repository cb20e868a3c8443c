using ActorLsm.Protocol;

namespace ActorLsm.Client.Requests;

/// <summary>Maps a node's <see cref="Error"/> response to the exception the client API documents.</summary>
internal static class ResponseErrors
{
    /// <summary>
    /// INVALID_ARGUMENT → <see cref="ArgumentException"/>; OVERLOADED → <see cref="ActorLsmOverloadedException"/>;
    /// NOT_ENOUGH_REPLICAS → <see cref="ActorLsmNotEnoughReplicasException"/>; every other code →
    /// <see cref="ActorLsmException"/> carrying the code.
    /// </summary>
    public static Exception ToException(Error error) => error.Code switch
    {
        ErrorCode.InvalidArgument => new ArgumentException($"the node rejected the request: {error.Message}"),
        ErrorCode.Overloaded => new ActorLsmOverloadedException(error.Message),
        ErrorCode.NotEnoughReplicas => new ActorLsmNotEnoughReplicasException(error.Message),
        _ => new ActorLsmException(error.Code, error.Message),
    };
}
