using System.Reflection;
using ActorLsm.Hosting.Routing;
using ActorLsm.Hosting.Serialization;
using ActorLsm.Messages;
using ActorLsm.Protocol;
using Akka.Actor;
using Akka.Serialization;
using KeyValue = ActorLsm.Messages.KeyValue;

namespace ActorLsm.Hosting.Tests;

public sealed class SerializationTests : Akka.TestKit.Xunit2.TestKit
{
    public SerializationTests()
        : base(SerializationConfig.Default)
    {
    }

    private static readonly object[] s_messages =
    [
        new Put([1, 2], [3], 7),
        new Messages.Get([1], 8),
        new Delete([9, 9], 9),
        new Scan([1], [2], 10, true, 11),
        new Scan(null, null),
        new WriteBatch([WriteOp.Put([1], [2]), WriteOp.Delete([3])], 12),
        new PutResult(13, 14),
        new GetResult([5, 6], 15),
        new GetResult(null, 16),
        new DeleteResult(17, 18),
        new ScanResult([new KeyValue([1], [2]), new KeyValue([3], [4])], true, 19),
        new WriteBatchResult(3, 20),
        new ActorLsmError(ErrorCode.NotEnoughReplicas, "too few", 21),
        new ScanShards(new Scan([1], null, 5, false, 22), [0, 3]),
        new Put([1], [2], 23, DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123)),
        new GetResult([5], 24, DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_456)),
        new WriteBatch([WriteOp.Put([1], [2], DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_789)), WriteOp.Put([3], [4])], 25),
        new Expire([1], DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_001_000), null, 26),
        new Expire([2], null, 5_000, 27),
        new Expire([3], null),
        new ExpireResult(true, 28),
        new Put([1], [2], 29, null, new WriteSessionStamp(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), 7, 5, 1200)),
        new Delete([1], 30, new WriteSessionStamp(new Guid("7c9e6679-7425-40de-944b-e07fc1f90ae7"), 1, 1, 0)),
        new Expire([1], null, 100, 31, new WriteSessionStamp(new Guid("7c9e6679-7425-40de-944b-e07fc1f90ae7"), 2, 2, 0)),
        new WriteBatch([WriteOp.Put([1], [2])], 32, new WriteSessionStamp(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), 9, 9, 3)),
    ];

    public static TheoryData<object> Messages() => [.. s_messages];

    [Theory]
    [MemberData(nameof(Messages))]
    public void FindSerializerFor_EveryMessage_IsMessagePackAndRoundTrips(object message)
    {
        Serializer serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ActorLsmMessageSerializer>(serializer);
        var withManifest = (SerializerWithStringManifest)serializer;
        byte[] bytes = serializer.ToBinary(message);
        object back = withManifest.FromBinary(bytes, withManifest.Manifest(message));
        Assert.Equal(Canonical(message), Canonical(back));
    }

    [Fact]
    public void Put_WithoutExpiryFromOlderPeer_DecodesWithNullExpiry()
    {
        // A peer built before expiries sends Put as a 3-element array [key, value, correlation id].
        byte[] older = MessagePack.MessagePackSerializer.Serialize(new object[] { new byte[] { 1 }, new byte[] { 2 }, 7L });
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new Put([1], [2]));
        var put = (Put)serializer.FromBinary(older, "P");
        Assert.Equal(7, put.CorrelationId);
        Assert.Null(put.ExpiresAt);
    }

    [Fact]
    public void Messages_CoverEverySerializedType_AllTypesRoundTripped()
    {
        var covered = new HashSet<Type>();
        foreach (object message in s_messages)
        {
            covered.Add(message.GetType());
        }

        foreach (Type t in ActorLsmMessageSerializer.MessageTypes)
        {
            Assert.Contains(t, covered);
        }
    }

    [Fact]
    public void SerializationConfig_EveryRequestAndReplyType_IsBound()
    {
        Type[] messageTypes = [.. typeof(IActorLsmRequest).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && (typeof(IActorLsmRequest).IsAssignableFrom(t) || typeof(IActorLsmReply).IsAssignableFrom(t)))];
        Assert.NotEmpty(messageTypes);
        Type[] unbound = [.. messageTypes.Where(t => !SerializationConfig.BoundTypes.Contains(t))];
        Assert.True(unbound.Length == 0, "no serializer binding for: " + string.Join(", ", unbound.Select(t => t.Name)));
        foreach (Type t in messageTypes)
        {
            string key = $"akka.actor.serialization-bindings.\"{t.FullName}, {t.Assembly.GetName().Name}\"";
            Assert.Equal(SerializationConfig.SerializerName, SerializationConfig.Default.GetString(key));
        }
    }

    [Fact]
    public void FromBinary_UnknownManifest_ThrowsSerializationException()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerForType(typeof(Put));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0x90], "nope"));
    }

    // Records compare arrays by reference: compare their MessagePack-independent rendering instead.
    private static string Canonical(object o) => o switch
    {
        byte[] b => Convert.ToHexString(b),
        null => "null",
        string s => s,
        DateTimeOffset d => d.UtcTicks + "@" + d.Offset,
        System.Collections.IEnumerable e => "[" + string.Join(",", e.Cast<object>().Select(Canonical)) + "]",
        _ when o.GetType().IsPrimitive || o is Enum => o.ToString()!,
        _ => o.GetType().Name + "{" + string.Join(";", o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => p.Name + "=" + Canonical(p.GetValue(o)!))) + "}",
    };
}
