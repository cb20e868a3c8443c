using System.Text;

namespace ActorLsm.Client.Tests.Fakes;

/// <summary>Helpers to build clients against a <see cref="FakeNode"/>.</summary>
internal static class Clients
{
    public static ActorLsmClient For(FakeNode node, int connections = 1, TimeSpan? requestTimeout = null, int maxFrameSize = 1 << 20, bool inlineCompletions = false) =>
        For(node.Endpoint, connections, requestTimeout, maxFrameSize, inlineCompletions);

    public static ActorLsmClient For(string endpoint, int connections = 1, TimeSpan? requestTimeout = null, int maxFrameSize = 1 << 20, bool inlineCompletions = false) =>
        new(new ActorLsmClientOptions
        {
            Endpoints = [endpoint],
            InlineCompletions = inlineCompletions,
            ConnectionsPerEndpoint = connections,
            RequestTimeout = requestTimeout ?? FakeNode.WaitLimit,
            ConnectTimeout = FakeNode.WaitLimit,
            MaxFrameSize = maxFrameSize,
            ShardRouting = false,
        });

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    /// <summary>Bounds a wait so a broken client fails the test instead of hanging it.</summary>
    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(FakeNode.WaitLimit);

    public static Task Bounded(this Task task) => task.WaitAsync(FakeNode.WaitLimit);
}
