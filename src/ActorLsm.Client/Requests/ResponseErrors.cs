using ActorLsm.Protocol;

namespace ActorLsm.Client.Requests;

/// <summary>Maps a node's <see cref="Error"/> response to the exception the client API documents.</summary>
internal static class ResponseErrors
{
    /// <summary>As <see cref="ErrorMapping.ToException"/>, the mapping every <see cref="IActorLsm"/> shares.</summary>
    public static Exception ToException(Error error) => ErrorMapping.ToException(error.Code, error.Message);
}
