using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ActorLsm.Cluster.Wire;
using Google.Protobuf;

namespace ActorLsm.Cluster.Remoting;

/// <summary>
/// The Protobuf message types that may cross the network, keyed by descriptor full name (e.g.
/// <c>actorlsm.cluster.v1.Ping</c>): what Akka calls the serialization bindings, reduced to one
/// serializer (Protobuf). Sending a type that is not registered is a programming error
/// (<see cref="ArgumentException"/>); receiving an unknown type is a version skew between nodes,
/// so the receiver logs and drops it. Register everything before the first send; thread-safe.
/// </summary>
public sealed class MessageRegistry
{
    private readonly ConcurrentDictionary<string, MessageParser> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();

    /// <summary>The registered full names (for diagnostics).</summary>
    public IReadOnlyCollection<string> TypeNames => (IReadOnlyCollection<string>)_byName.Keys;

    /// <summary>A registry holding the diagnostic <see cref="Ping"/> and <see cref="Pong"/>.</summary>
    public static MessageRegistry WithDiagnostics()
    {
        var registry = new MessageRegistry();
        registry.Register<Ping>();
        registry.Register<Pong>();
        return registry;
    }

    /// <summary>Registers <typeparamref name="T"/> under its descriptor full name; registering twice is a no-op.</summary>
    public MessageRegistry Register<T>()
        where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(static () => new T());
        string name = new T().Descriptor.FullName;
        _byName.TryAdd(name, parser);
        _byType.TryAdd(typeof(T), name);
        return this;
    }

    /// <summary>True when <paramref name="type"/> may be sent.</summary>
    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <summary>
    /// The wire form of <paramref name="message"/>: its type's full name and its Protobuf bytes.
    /// Throws <see cref="ArgumentException"/> when the message is not a registered Protobuf message.
    /// </summary>
    public (string Type, ByteString Payload) Serialize(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is not IMessage protobuf || !_byType.TryGetValue(message.GetType(), out string? name))
        {
            throw new ArgumentException(
                $"{message.GetType().FullName} is not a registered Protobuf message; register it in the MessageRegistry before sending it to another node.",
                nameof(message));
        }

        return (name, protobuf.ToByteString());
    }

    /// <summary>
    /// Parses <paramref name="payload"/> as the message type named <paramref name="type"/>; false when
    /// the type is unknown or the bytes do not parse (the caller logs and drops).
    /// </summary>
    public bool TryDeserialize(string type, ByteString payload, [NotNullWhen(true)] out IMessage? message)
    {
        ArgumentNullException.ThrowIfNull(payload);
        message = null;
        if (type is null || !_byName.TryGetValue(type, out MessageParser? parser))
        {
            return false;
        }

        try
        {
            message = parser.ParseFrom(payload);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
