using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// Every command that reads or sets an expiry, in one place: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
/// PERSIST, SETEX, PSETEX, GETEX and SET's EX/PX/EXAT/PXAT/KEEPTTL. Arguments are checked as Redis checks them
/// (so a malformed command gets Redis's error either way); then, while the node has no
/// <see cref="IRespExpiry"/> (the engine does not store expiries yet), the reply is
/// <c>ERR TTL not supported yet</c>. Wiring TTL = passing an <see cref="IRespExpiry"/> to
/// <see cref="RespService"/>; the calls below then run.
/// </summary>
/// <remarks>
/// Open (issue 14): SET ... EX with NX/XX/GET, KEEPTTL and GETEX read and then write without the per-slot
/// <c>SlotWriteCoordinator</c>, so they are not atomic against concurrent RESP writes to the same key. The
/// fix is to give <see cref="RespWrite"/> an expiry and send these writes through the coordinator.
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

        return SetAsync(s, expiry, key, value, expiresAtMs, keepTtl, nx, xx, get);
    }

    private static async ValueTask<RespValue> SetAsync(RespSession s, IRespExpiry expiry, byte[] key, byte[] value, long expiresAtMs, bool keepTtl, bool nx, bool xx, bool get)
    {
        byte[]? old = nx || xx || get || keepTtl ? await s.Service.Backend.GetAsync(key, CancellationToken.None).ConfigureAwait(false) : null;
        if ((nx && old is not null) || (xx && old is null))
        {
            return get ? RespValue.Bulk(old) : RespValue.Null;
        }

        if (keepTtl)
        {
            long at = await expiry.GetExpiryAsync(key, CancellationToken.None).ConfigureAwait(false);
            expiresAtMs = at > 0 ? at : 0;
        }

        await expiry.SetAsync(key, value, expiresAtMs, CancellationToken.None).ConfigureAwait(false);
        return get ? RespValue.Bulk(old) : RespValue.Ok;
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
        return ExpireAsync(expiry, a[1], Math.Max(at, 1), nx, xx, gt, lt);
    }

    private static async ValueTask<RespValue> ExpireAsync(IRespExpiry expiry, byte[] key, long at, bool nx, bool xx, bool gt, bool lt)
    {
        long current = await expiry.GetExpiryAsync(key, CancellationToken.None).ConfigureAwait(false);
        if (current == -2)
        {
            return RespValue.Int(0);
        }

        bool has = current > 0;
        if ((nx && has) || (xx && !has) || (gt && (!has || at <= current)) || (lt && has && at >= current))
        {
            return RespValue.Int(0);
        }

        return RespValue.Int(await expiry.SetExpiryAsync(key, at, CancellationToken.None).ConfigureAwait(false) ? 1 : 0);
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

        return PersistAsync(expiry, a[1]);
    }

    private static async ValueTask<RespValue> PersistAsync(IRespExpiry expiry, byte[] key)
    {
        long at = await expiry.GetExpiryAsync(key, CancellationToken.None).ConfigureAwait(false);
        return at > 0 && await expiry.SetExpiryAsync(key, 0, CancellationToken.None).ConfigureAwait(false) ? RespValue.Int(1) : RespValue.Int(0);
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

        return GetExAsync(s, expiry, a[1], at);
    }

    private static async ValueTask<RespValue> GetExAsync(RespSession s, IRespExpiry expiry, byte[] key, long at)
    {
        byte[]? value = await s.Service.Backend.GetAsync(key, CancellationToken.None).ConfigureAwait(false);
        if (value is not null && at >= 0)
        {
            await expiry.SetExpiryAsync(key, at, CancellationToken.None).ConfigureAwait(false);
        }

        return RespValue.Bulk(value);
    }
}
