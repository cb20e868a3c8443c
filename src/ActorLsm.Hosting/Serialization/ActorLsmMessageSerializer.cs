using System.Runtime.Serialization;
using ActorLsm.Messages;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;

namespace ActorLsm.Hosting.Serialization;

/// <summary>
/// Akka serializer (a <see cref="SerializerWithStringManifest"/>) for the store's actor messages
/// (<see cref="Put"/>, <see cref="Messages.Get"/>, <see cref="Delete"/>, <see cref="Expire"/>, <see cref="Scan"/>, <see cref="WriteBatch"/>,
/// their replies and <see cref="ActorLsmError"/>) when they cross Akka.Remote: MessagePack 2 with the
/// contracts declared on the records (integer keys), and a short stable manifest per type, so that the
/// wire form depends neither on CLR type names nor on Akka's JSON default. Bound by
/// <see cref="SerializationConfig"/>; id <see cref="SerializerId"/>.
/// </summary>
public sealed class ActorLsmMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id in <c>akka.actor.serialization-identifiers</c> (Akka reserves 0-40 for itself).</summary>
    public const int SerializerId = 7_401;

    private static readonly MessagePackSerializerOptions s_options = MessagePackSerializerOptions.Standard
        .WithSecurity(MessagePackSecurity.UntrustedData);

    private static readonly Dictionary<Type, string> s_manifests = new()
    {
        [typeof(Put)] = "P",
        [typeof(Get)] = "G",
        [typeof(Delete)] = "D",
        [typeof(Expire)] = "X",
        [typeof(Scan)] = "S",
        [typeof(WriteBatch)] = "B",
        [typeof(PutResult)] = "PR",
        [typeof(GetResult)] = "GR",
        [typeof(DeleteResult)] = "DR",
        [typeof(ExpireResult)] = "XR",
        [typeof(ScanResult)] = "SR",
        [typeof(WriteBatchResult)] = "BR",
        [typeof(ActorLsmError)] = "E",
        [typeof(Routing.ScanShards)] = "SS",
    };

    private static readonly Dictionary<string, Type> s_types = s_manifests.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    /// <summary>Created by Akka's serialization extension from <c>akka.actor.serializers</c>.</summary>
    public ActorLsmMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Every type this serializer writes; <see cref="SerializationConfig"/> binds each of them.</summary>
    public static IReadOnlyCollection<Type> MessageTypes => s_manifests.Keys;

    /// <inheritdoc/>
    public override int Identifier => SerializerId;

    /// <inheritdoc/>
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return s_manifests.TryGetValue(o.GetType(), out string? manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not an ActorLsm actor message", nameof(o));
    }

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return s_manifests.ContainsKey(obj.GetType())
            ? MessagePackSerializer.Serialize(obj.GetType(), obj, s_options)
            : throw new ArgumentException($"{obj.GetType()} is not an ActorLsm actor message", nameof(obj));
    }

    /// <inheritdoc/>
    /// <exception cref="SerializationException">The manifest is unknown or the bytes do not decode (a peer of another version, or corruption).</exception>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!s_types.TryGetValue(manifest, out Type? type))
        {
            throw new SerializationException($"unknown ActorLsm message manifest '{manifest}'");
        }

        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, s_options)
                ?? throw new SerializationException($"ActorLsm message '{manifest}' decoded to null");
        }
        catch (MessagePackSerializationException ex)
        {
            throw new SerializationException($"ActorLsm message '{manifest}' does not decode: {ex.Message}", ex);
        }
    }
}
