using System.Globalization;
using System.Text;
using ActorLsm.Messages;
using Akka.Configuration;

namespace ActorLsm.Hosting.Serialization;

/// <summary>
/// The HOCON that registers <see cref="ActorLsmMessageSerializer"/> as <c>actorlsm-messages</c> and binds
/// every store actor message to it, so that none falls back to Akka's Newtonsoft JSON serializer.
/// </summary>
public static class SerializationConfig
{
    /// <summary>The serializer's name in <c>akka.actor.serializers</c>.</summary>
    public const string SerializerName = "actorlsm-messages";

    /// <summary>
    /// <c>akka.actor.serializers</c>, <c>serialization-bindings</c> (one line per message type) and
    /// <c>serialization-identifiers</c> for the store's actor messages.
    /// </summary>
    public static Config Default { get; } = ConfigurationFactory.ParseString(Text());

    private static string Text()
    {
        string serializer = QualifiedName(typeof(ActorLsmMessageSerializer));
        var text = new StringBuilder();
        text.Append("akka.actor {\n");
        text.Append(CultureInfo.InvariantCulture, $"  serializers.{SerializerName} = \"{serializer}\"\n");
        text.Append(CultureInfo.InvariantCulture, $"  serialization-identifiers {{ \"{serializer}\" = {ActorLsmMessageSerializer.SerializerId} }}\n");
        text.Append("  serialization-bindings {\n");
        foreach (Type type in ActorLsmMessageSerializer.MessageTypes)
        {
            text.Append(CultureInfo.InvariantCulture, $"    \"{QualifiedName(type)}\" = {SerializerName}\n");
        }

        text.Append("  }\n}\n");
        return text.ToString();
    }

    private static string QualifiedName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>The types bound, for tests: every <see cref="IActorLsmRequest"/> and <see cref="IActorLsmReply"/> in ActorLsm.Messages.</summary>
    public static IEnumerable<Type> BoundTypes => ActorLsmMessageSerializer.MessageTypes;
}
