using Akka.Configuration;

namespace ActorLsm.Cluster.Sharding;

/// <summary>
/// Akka.Remote's limit on one message (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>; Akka's
/// default 128,000 bytes, 32 MiB in hocon/reference.conf and with <c>WithActorLsm</c>). A larger
/// message is dropped with an error in the sender's log only, so what we send between members is
/// kept at or below <see cref="PayloadLimit"/>: replicated records through
/// <see cref="ReplicationSettings.MaxMessageBytes"/> (PROTOCOL.md, R14), client writes by the routers.
/// </summary>
public static class RemoteFrameLimit
{
    /// <summary>The HOCON key of the frame limit.</summary>
    public const string Key = "akka.remote.dot-netty.tcp.maximum-frame-size";

    /// <summary>Bytes of a frame kept for the message's own encoding and Akka.Remote's envelope: 64 KiB.</summary>
    public const int Margin = 64 * 1024;

    /// <summary>The frame limit in bytes from <paramref name="config"/>; null when it has no Akka.Remote settings.</summary>
    public static long? FrameBytes(Config config) => config.HasPath(Key) ? config.GetByteSize(Key) : null;

    /// <summary>Payload bytes (keys, values, record data) one message may carry: the frame less <see cref="Margin"/>; unbounded without Akka.Remote settings.</summary>
    public static long PayloadLimit(Config config) => FrameBytes(config) is long frame ? Math.Max(0, frame - Margin) : long.MaxValue;
}
