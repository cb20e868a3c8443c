using ActorLsm.Protocol;
using ActorLsm.Resp.Coordination;
using ActorLsm.Resp.Protocol;

namespace ActorLsm.Resp.Commands;

/// <summary>
/// The string commands. Single-key reads go to the store; every write and every read of several keys runs
/// through <see cref="SlotWriteCoordinator"/>, which makes read-modify-writes atomic per slot.
/// </summary>
internal static class StringCommands
{
    /// <summary>Largest string SETRANGE and APPEND build (Redis's proto-max-bulk-len).</summary>
    private const long MaxString = 512L * 1024 * 1024;

    // Gathered with the other GETs of the same read of the connection: one request per shard for a pipeline.
    public static ValueTask<RespValue> Get(RespSession s, IReadOnlyList<byte[]> a) =>
        new(s.QueueGet(a[1]));

    public static ValueTask<RespValue> Strlen(RespSession s, IReadOnlyList<byte[]> a) =>
        Args.Map(s.Service.Backend.GetAsync(a[1], CancellationToken.None), v => RespValue.Int(v?.Length ?? 0));

    public static ValueTask<RespValue> GetRange(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (!Args.TryLong(a[2], out long start) || !Args.TryLong(a[3], out long end))
        {
            return ValueTask.FromResult(Errors.NotInteger);
        }

        return Args.Map(s.Service.Backend.GetAsync(a[1], CancellationToken.None), v => RespValue.Bulk(Range(v ?? [], start, end)));
    }

    internal static byte[] Range(byte[] value, long start, long end)
    {
        long len = value.Length;
        if (start < 0 && end < 0 && start > end)
        {
            return [];
        }

        if (start < 0)
        {
            start = Math.Max(0, len + start);
        }

        if (end < 0)
        {
            end = Math.Max(0, len + end);
        }

        end = Math.Min(end, len - 1);
        return start > end || len == 0 ? [] : value.AsSpan((int)start, (int)(end - start + 1)).ToArray();
    }

    public static ValueTask<RespValue> Set(RespSession s, IReadOnlyList<byte[]> a)
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        long expiresAtMs = 0;
        for (int i = 3; i < a.Count; i++)
        {
            if (Args.Is(a[i], "NX") && !xx)
            {
                nx = true;
            }
            else if (Args.Is(a[i], "XX") && !nx)
            {
                xx = true;
            }
            else if (Args.Is(a[i], "GET"))
            {
                get = true;
            }
            else if (Args.Is(a[i], "KEEPTTL") && expiresAtMs == 0)
            {
                keepTtl = true;
            }
            else if (TtlCommands.IsExpiryOption(a[i]) && expiresAtMs == 0 && !keepTtl && i + 1 < a.Count)
            {
                RespValue? invalid = TtlCommands.ParseExpiry(a[i], a[i + 1], "set", out expiresAtMs);
                if (invalid is { } error)
                {
                    return ValueTask.FromResult(error);
                }

                i++;
            }
            else
            {
                return ValueTask.FromResult(Errors.Syntax);
            }
        }

        if (expiresAtMs != 0 || keepTtl)
        {
            return TtlCommands.SetWithExpiry(s, a[1], a[2], expiresAtMs, keepTtl, nx, xx, get);
        }

        byte[] key = a[1], value = a[2];
        int slot = KeySlot.Of(key);
        if (!nx && !xx && !get)
        {
            return Args.Of(s.Service.Coordinator.WriteAsync(slot, [new RespWrite(key, value)], RespValue.Ok));
        }

        return Args.Of(s.Service.Coordinator.ExecuteAsync(slot, [key], v =>
        {
            byte[]? old = v[0];
            bool write = (!nx || old is null) && (!xx || old is not null);
            RespValue reply = get ? RespValue.Bulk(old) : write ? RespValue.Ok : RespValue.Null;
            return new Mutation(reply, write ? [new RespWrite(key, value)] : null);
        }));
    }

    public static ValueTask<RespValue> SetNx(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1], value = a[2];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
            v[0] is null ? new Mutation(RespValue.Int(1), [new RespWrite(key, value)]) : new Mutation(RespValue.Int(0), null)));
    }

    public static ValueTask<RespValue> GetSet(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1], value = a[2];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
            new Mutation(RespValue.Bulk(v[0]), [new RespWrite(key, value)])));
    }

    public static ValueTask<RespValue> GetDel(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
            new Mutation(RespValue.Bulk(v[0]), v[0] is null ? null : [new RespWrite(key, null)])));
    }

    public static ValueTask<RespValue> MGet(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[][] keys = [.. a.Skip(1)];
        if (keys.Length == 1)
        {
            return Args.Map(s.Service.Backend.GetAsync(keys[0], CancellationToken.None), v => RespValue.Array(RespValue.Bulk(v)));
        }

        // Through the coordinator: the keys are read together, with no write of their slot in between.
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(keys[0]), keys, v =>
            new Mutation(RespValue.Array([.. v.Select(RespValue.Bulk)]), null)));
    }

    public static ValueTask<RespValue> MSet(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (a.Count % 2 == 0)
        {
            return ValueTask.FromResult(Errors.WrongArgs(s.CurrentCommand));
        }

        var writes = new List<RespWrite>((a.Count - 1) / 2);
        for (int i = 1; i < a.Count; i += 2)
        {
            writes.Add(new RespWrite(a[i], a[i + 1]));
        }

        return Args.Of(s.Service.Coordinator.WriteAsync(KeySlot.Of(a[1]), writes, RespValue.Ok));
    }

    public static ValueTask<RespValue> MSetNx(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (a.Count % 2 == 0)
        {
            return ValueTask.FromResult(Errors.WrongArgs(s.CurrentCommand));
        }

        var writes = new List<RespWrite>((a.Count - 1) / 2);
        for (int i = 1; i < a.Count; i += 2)
        {
            writes.Add(new RespWrite(a[i], a[i + 1]));
        }

        byte[][] keys = [.. writes.Select(w => w.Key)];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(a[1]), keys, v =>
            v.Any(x => x is not null) ? new Mutation(RespValue.Int(0), null) : new Mutation(RespValue.Int(1), writes)));
    }

    public static ValueTask<RespValue> Del(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[][] keys = [.. a.Skip(1).Distinct(ByteArrayComparer.Instance)];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(keys[0]), keys, v =>
        {
            var deletes = new List<RespWrite>();
            for (int i = 0; i < keys.Length; i++)
            {
                if (v[i] is not null)
                {
                    deletes.Add(new RespWrite(keys[i], null));
                }
            }

            return new Mutation(RespValue.Int(deletes.Count), deletes);
        }));
    }

    public static ValueTask<RespValue> Exists(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (a.Count == 2)
        {
            return Args.Map(s.Service.Backend.GetAsync(a[1], CancellationToken.None), v => RespValue.Int(v is null ? 0 : 1));
        }

        byte[][] keys = [.. a.Skip(1)];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(keys[0]), keys, v =>
            new Mutation(RespValue.Int(v.Count(x => x is not null)), null)));
    }

    public static ValueTask<RespValue> Incr(RespSession s, IReadOnlyList<byte[]> a) => IncrBy(s, a[1], 1);

    public static ValueTask<RespValue> Decr(RespSession s, IReadOnlyList<byte[]> a) => IncrBy(s, a[1], -1);

    public static ValueTask<RespValue> IncrByCommand(RespSession s, IReadOnlyList<byte[]> a) =>
        Args.TryLong(a[2], out long by) ? IncrBy(s, a[1], by) : ValueTask.FromResult(Errors.NotInteger);

    public static ValueTask<RespValue> DecrByCommand(RespSession s, IReadOnlyList<byte[]> a)
    {
        if (!Args.TryLong(a[2], out long by))
        {
            return ValueTask.FromResult(Errors.NotInteger);
        }

        return by == long.MinValue ? ValueTask.FromResult(RespValue.Error("ERR decrement would overflow")) : IncrBy(s, a[1], -by);
    }

    private static ValueTask<RespValue> IncrBy(RespSession s, byte[] key, long by) =>
        Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v => Add(key, v[0], by)));

    internal static Mutation Add(byte[] key, byte[]? current, long by)
    {
        long value = 0;
        if (current is not null && !Args.TryLong(current, out value))
        {
            return new Mutation(Errors.NotInteger, null);
        }

        if ((by > 0 && value > long.MaxValue - by) || (by < 0 && value < long.MinValue - by))
        {
            return new Mutation(Errors.Overflow, null);
        }

        long sum = value + by;
        return new Mutation(RespValue.Int(sum), [new RespWrite(key, Args.Ascii(sum), KeepTtl: true)]);
    }

    public static ValueTask<RespValue> IncrByFloat(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1];
        if (!Args.TryDouble(a[2], out double by))
        {
            return ValueTask.FromResult(Errors.NotFloat);
        }

        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
        {
            double value = 0;
            if (v[0] is not null && !Args.TryDouble(v[0]!, out value))
            {
                return new Mutation(Errors.NotFloat, null);
            }

            double sum = value + by;
            if (double.IsNaN(sum) || double.IsInfinity(sum))
            {
                return new Mutation(Errors.NaN, null);
            }

            byte[] text = System.Text.Encoding.ASCII.GetBytes(Args.FormatDouble(sum));
            return new Mutation(RespValue.Bulk(text), [new RespWrite(key, text, KeepTtl: true)]);
        }));
    }

    public static ValueTask<RespValue> Append(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1], suffix = a[2];
        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
        {
            byte[] old = v[0] ?? [];
            if (old.LongLength + suffix.LongLength > MaxString)
            {
                return new Mutation(Errors.TooBig, null);
            }

            byte[] joined = [.. old, .. suffix];
            return new Mutation(RespValue.Int(joined.Length), [new RespWrite(key, joined, KeepTtl: true)]);
        }));
    }

    public static ValueTask<RespValue> SetRange(RespSession s, IReadOnlyList<byte[]> a)
    {
        byte[] key = a[1], patch = a[3];
        if (!Args.TryLong(a[2], out long offset))
        {
            return ValueTask.FromResult(Errors.NotInteger);
        }

        if (offset < 0)
        {
            return ValueTask.FromResult(Errors.OffsetRange);
        }

        if (offset + patch.LongLength > MaxString)
        {
            return ValueTask.FromResult(Errors.TooBig);
        }

        return Args.Of(s.Service.Coordinator.ExecuteAsync(KeySlot.Of(key), [key], v =>
        {
            byte[] old = v[0] ?? [];
            if (patch.Length == 0)
            {
                return new Mutation(RespValue.Int(old.Length), null);
            }

            byte[] result = new byte[Math.Max(old.Length, (int)offset + patch.Length)];
            old.CopyTo(result, 0);
            patch.CopyTo(result, (int)offset);
            return new Mutation(RespValue.Int(result.Length), [new RespWrite(key, result, KeepTtl: true)]);
        }));
    }
}
