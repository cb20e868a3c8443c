using ActorLsm.Protocol;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// Every command that reads or sets an expiry, in one place: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
/// PERSIST, SETEX, PSETEX, GETEX and SET's EX/PX/EXAT/PXAT/KEEPTTL. Arguments are checked as Redis checks them
/// (so a malformed command gets Redis's error either way); then, with no <see cref="IRespExpiry"/> given to
/// <see cref="RespService"/>, the reply is <c>ERR TTL not supported yet</c>.
/// </summary>
/// <remarks>
/// Atomicity: every command here that writes (SET with an expiry option and NX/XX/GET/KEEPTTL, SETEX, GETEX,
/// EXPIRE with NX/XX/GT/LT, PERSIST) is one <see cref="IRespExpiry.UpdateAsync"/>, a read-modify-write at the
/// key's shard, run as an exclusive command of the slot (<see cref="Coordination.SlotWriteCoordinator.ExclusiveAsync"/>),
/// so it is ordered with the other RESP writes of the slot and no write comes between its read and its write.
/// </remarks>
internal static class TtlCommands
{
    public static bool IsExpiryOption(byte[] word) => Args.Is(word, "EX") || Args.Is(word, "PX") || Args.Is(word, "EXAT") || Args.Is(word, "PXAT");

    /// <summary>
    /// The absolute expiry (Unix ms) of option <paramref name="option"/> with <paramref name="value"/>; null when valid,
    /// else Redis's error (<c>ERR value is not an integer or out of range</c>, <c>ERR invalid expire time in 'set' command</c>).
    /// </summary>
    public static RespValue? ParseExpiry(byte[] option, byte[] value, string command, out long expiresAtMs)
    {
        expiresAtMs = 0;
        if (!Args.TryLong(value, out long n))
        {
            return Errors.NotInteger;
        }

        if (n <= 0)
        {
            return Errors.InvalidExpire(command);
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        expiresAtMs = Args.Is(option, "EX") ? Checked(() => now + (n * 1000))
            : Args.Is(option, "PX") ? Checked(() => now + n)
            : Args.Is(option, "EXAT") ? Checked(() => n * 1000)
            : n;
        return expiresAtMs <= 0 ? Errors.InvalidExpire(command) : null;
    }

    private static long Checked(Func<long> compute)
    {
        try
        {
            return checked(compute());
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    public static ValueTask<RespValue> SetWithExpiry(RespSession s, byte[] key, byte[] value, long expiresAtMs, bool keepTtl, bool nx, bool xx, bool get)
    {
        if (s.Service.Expiry is not { } expiry)
        {
            return ValueTask.FromResult(Errors.TtlNotSupported);
        }

        return Args.Of(s.Service.Coordinator.ExclusiveAsync(KeySlot.Of(key), () => expiry.UpdateAsync(key, (current, now) =>
        {
            byte[]? old = current?.Value;
            if ((nx && old is not null) || (xx && old is null))
            {
                return RespUpdate.None(get ? RespValue.Bulk(old) : RespValue.Null);
            }

            RespValue reply = get ? RespValue.Bulk(old) : RespValue.Ok;
            long at = keepTtl ? current?.ExpiresAtUnixMs ?? 0 : expiresAtMs;
            return at != 0 && at <= now
                ? new RespUpdate(reply, old is not null, null, 0) // an expiry already past: the key is gone, as in Redis
                : RespUpdate.Put(reply, value, at);
        }, CancellationToken.None)));
    }

    /// <summary>SETEX key seconds value / PSETEX key milliseconds value.</summary>
    public static ValueTask<RespValue> SetEx(RespSession s, IReadOnlyList<byte[]> a)
    {
        bool millis = s.CurrentCommand == "psetex";
        RespValue? invalid = ParseExpiry(millis ? "PX"u8.ToArray() : "EX"u8.ToArray(), a[2], s.CurrentCommand, out long at);
        if (invalid is { } error)
        {
            return ValueTask.FromResult(error);
        }

        return SetWithExpiry(s, a[1], a[3], at, keepTtl: false, nx: false, xx: false, get: false);
    }

    /// <summary>EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT].</summary>
    public static ValueTask<RespValue> Expire(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (!Args.TryLong(a[2], out long n))
        {
            return ValueTask.FromResult(Errors.NotInteger);
        }

        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < a.Count; i++)
        {
            if (Args.Is(a[i], "NX"))
            {
                nx = true;
            }
            else if (Args.Is(a[i], "XX"))
            {
                xx = true;
            }
            else if (Args.Is(a[i], "GT"))
            {
                gt = true;
            }
            else if (Args.Is(a[i], "LT"))
            {
                lt = true;
            }
            else
            {
                return ValueTask.FromResult(RespValue.Error($"ERR Unsupported option {Args.Text(a[i])}"));
            }
        }

        if (nx && (xx || gt || lt))
        {
            return ValueTask.FromResult(RespValue.Error("ERR NX and XX, GT or LT options at the same time are not compatible"));
        }

        if (gt && lt)
        {
            return ValueTask.FromResult(RespValue.Error("ERR GT and LT options at the same time are not compatible"));
        }

        if (s.Service.Expiry is not { } expiry)
        {
            return ValueTask.FromResult(Errors.TtlNotSupported);
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long at = s.CurrentCommand switch
        {
            "expire" => Checked(() => now + (n * 1000)),
            "pexpire" => Checked(() => now + n),
            "expireat" => Checked(() => n * 1000),
            _ => n,
        };
        byte[] key = a[1];
        at = Math.Max(at, 1);
        return Args.Of(s.Service.Coordinator.ExclusiveAsync(KeySlot.Of(key), () => expiry.UpdateAsync(key, (entry, now) =>
        {
            if (entry is not { } current)
            {
                return RespUpdate.None(RespValue.Int(0));
            }

            long was = current.ExpiresAtUnixMs;
            bool has = was > 0;
            if ((nx && has) || (xx && !has) || (gt && (!has || at <= was)) || (lt && has && at >= was))
            {
                return RespUpdate.None(RespValue.Int(0));
            }

            return at <= now
                ? new RespUpdate(RespValue.Int(1), true, null, 0) // an expiry already past deletes the key, as in Redis
                : RespUpdate.Put(RespValue.Int(1), current.Value, at);
        }, CancellationToken.None)));
    }

    /// <summary>TTL key / PTTL key: -2 absent, -1 no expiry, else the time left.</summary>
    public static ValueTask<RespValue> Ttl(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (s.Service.Expiry is not { } expiry)
        {
            return ValueTask.FromResult(Errors.TtlNotSupported);
        }

        bool millis = s.CurrentCommand == "pttl";
        return Args.Map(expiry.GetExpiryAsync(a[1], CancellationToken.None), at =>
        {
            if (at < 0)
            {
                return RespValue.Int(at);
            }

            long left = Math.Max(0, at - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return RespValue.Int(millis ? left : (left + 500) / 1000);
        });
    }

    /// <summary>PERSIST key: 1 when an expiry was removed.</summary>
    public static ValueTask<RespValue> Persist(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (s.Service.Expiry is not { } expiry)
        {
            return ValueTask.FromResult(Errors.TtlNotSupported);
        }

        byte[] key = a[1];
        return Args.Of(s.Service.Coordinator.ExclusiveAsync(KeySlot.Of(key), () => expiry.UpdateAsync(key, (entry, _) =>
            entry is { ExpiresAtUnixMs: > 0 } current
                ? RespUpdate.Put(RespValue.Int(1), current.Value, 0)
                : RespUpdate.None(RespValue.Int(0)), CancellationToken.None)));
    }

    /// <summary>GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST].</summary>
    public static ValueTask<RespValue> GetEx(RespSession s, IReadOnlyList<byte[]> a)
    {
        long at = -1;
        if (a.Count == 3 && Args.Is(a[2], "PERSIST"))
        {
            at = 0;
        }
        else if (a.Count == 4 && IsExpiryOption(a[2]))
        {
            if (ParseExpiry(a[2], a[3], "getex", out at) is { } invalid)
            {
                return ValueTask.FromResult(invalid);
            }
        }
        else if (a.Count != 2)
        {
            return ValueTask.FromResult(Errors.Syntax);
        }

        if (s.Service.Expiry is not { } expiry)
        {
            return ValueTask.FromResult(Errors.TtlNotSupported);
        }

        byte[] key = a[1];
        if (at < 0)
        {
            return Args.Map(s.Service.Backend.GetAsync(key, CancellationToken.None), v => RespValue.Bulk(v));
        }

        return Args.Of(s.Service.Coordinator.ExclusiveAsync(KeySlot.Of(key), () => expiry.UpdateAsync(key, (entry, now) =>
        {
            if (entry is not { } current)
            {
                return RespUpdate.None(RespValue.Null);
            }

            RespValue reply = RespValue.Bulk(current.Value);
            if (at == current.ExpiresAtUnixMs)
            {
                return RespUpdate.None(reply);
            }

            return at != 0 && at <= now ? new RespUpdate(reply, true, null, 0) : RespUpdate.Put(reply, current.Value, at);
        }, CancellationToken.None)));
    }
}
