using ActorLsm.Protocol;
using Google.Protobuf;

namespace ActorLsm.Client.Requests;

/// <summary>
/// Per-thread reusable request messages for the hot path (put, get, delete). A request is filled,
/// serialized synchronously by <see cref="Connections.ClientConnection.Send"/>, then cleared, all
/// without an await in between, so one set per thread suffices and the caller's key and value
/// are wrapped, not copied.
/// </summary>
internal sealed class RequestScratch
{
    [ThreadStatic]
    private static RequestScratch? s_current;

    public Request Request { get; } = new();

    public PutRequest Put { get; } = new();

    public GetRequest Get { get; } = new();

    public DeleteRequest Delete { get; } = new();

    public ExpireRequest Expire { get; } = new();

    /// <summary>This thread's scratch set.</summary>
    public static RequestScratch Current => s_current ??= new RequestScratch();

    /// <summary>A put request wrapping <paramref name="key"/> and <paramref name="value"/> (valid until <see cref="Clear"/>).</summary>
    public Request ForPut(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ulong leaderEpoch = 0, long? expiresAtUnixMs = null, ClientSession? session = null)
    {
        Put.Session = session;
        Put.LeaderEpoch = leaderEpoch;
        if (expiresAtUnixMs is { } expiry)
        {
            Put.ExpiresAtUnixMs = expiry;
        }
        else
        {
            Put.ClearExpiresAtUnixMs();
        }

        Put.Key = UnsafeByteOperations.UnsafeWrap(key);
        Put.Value = UnsafeByteOperations.UnsafeWrap(value);
        Request.Put = Put;
        return Request;
    }

    /// <summary>A get request wrapping <paramref name="key"/> (valid until <see cref="Clear"/>).</summary>
    public Request ForGet(ReadOnlyMemory<byte> key, ulong leaderEpoch = 0)
    {
        Get.LeaderEpoch = leaderEpoch;
        Get.Key = UnsafeByteOperations.UnsafeWrap(key);
        Request.Get = Get;
        return Request;
    }

    /// <summary>A delete request wrapping <paramref name="key"/> (valid until <see cref="Clear"/>).</summary>
    public Request ForDelete(ReadOnlyMemory<byte> key, ulong leaderEpoch = 0, ClientSession? session = null)
    {
        Delete.Session = session;
        Delete.LeaderEpoch = leaderEpoch;
        Delete.Key = UnsafeByteOperations.UnsafeWrap(key);
        Request.Delete = Delete;
        return Request;
    }

    /// <summary>
    /// An expire request wrapping <paramref name="key"/> (valid until <see cref="Clear"/>): relative when
    /// <paramref name="ttlMs"/> is set, else absolute, else (both null) removing the expiry.
    /// </summary>
    public Request ForExpire(ReadOnlyMemory<byte> key, ulong leaderEpoch, long? expiresAtUnixMs, long? ttlMs, ClientSession? session = null)
    {
        Expire.Session = session;
        Expire.LeaderEpoch = leaderEpoch;
        Expire.Key = UnsafeByteOperations.UnsafeWrap(key);
        Expire.ClearExpiresAtUnixMs();
        Expire.ClearTtlMs();
        if (ttlMs is { } ttl)
        {
            Expire.TtlMs = ttl;
        }
        else if (expiresAtUnixMs is { } at)
        {
            Expire.ExpiresAtUnixMs = at;
        }

        Request.Expire = Expire;
        return Request;
    }

    /// <summary>Drops every reference to caller memory.</summary>
    public void Clear()
    {
        Request.ClearBody();
        Request.RequestId = 0;
        Put.Key = ByteString.Empty;
        Put.Value = ByteString.Empty;
        Get.Key = ByteString.Empty;
        Delete.Key = ByteString.Empty;
        Expire.Key = ByteString.Empty;
        Put.ClearExpiresAtUnixMs();
        Put.LeaderEpoch = 0;
        Get.LeaderEpoch = 0;
        Delete.LeaderEpoch = 0;
        Put.Session = null;
        Delete.Session = null;
        Expire.Session = null;
    }
}
