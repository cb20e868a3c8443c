using ActorLsm.Storage.Keys;

namespace ActorLsm.Storage.Tables;

/// <summary>
/// Short index keys, after LevelDB's FindShortestSeparator / FindShortSuccessor on internal
/// keys: a shortened user key followed by the largest trailer (<see cref="InternalKey.MaxSequence"/>,
/// <see cref="InternalKey.KindForSeek"/>), which sorts first among that user key's entries.
/// </summary>
internal static class KeyShortening
{
    /// <summary>
    /// Writes into <paramref name="dst"/> (grown when needed) an internal key k with
    /// start &lt;= k &lt; limit, shorter than start when possible; returns its length.
    /// REQUIRES: start &lt; limit (internal-key order); both well-formed internal keys.
    /// </summary>
    public static int Separator(ReadOnlySpan<byte> start, ReadOnlySpan<byte> limit, ref byte[] dst)
    {
        var userStart = InternalKey.UserKey(start);
        var userLimit = InternalKey.UserKey(limit);
        int common = userStart.CommonPrefixLength(userLimit);
        if (common < Math.Min(userStart.Length, userLimit.Length))
        {
            byte b = userStart[common];
            if (b < 0xff && b + 1 < userLimit[common] && common + 1 < userStart.Length)
            {
                // start's user key cut after the first differing byte, that byte incremented:
                // greater than start's user key, still less than limit's.
                return WriteWithMaxTrailer(userStart[..(common + 1)], ref dst);
            }
        }

        return Copy(start, ref dst);
    }

    /// <summary>
    /// Writes into <paramref name="dst"/> an internal key k &gt;= <paramref name="key"/>, shorter when
    /// possible (the user key cut after its first byte that is not 0xff, that byte incremented);
    /// returns its length. REQUIRES: key is a well-formed internal key.
    /// </summary>
    public static int Successor(ReadOnlySpan<byte> key, ref byte[] dst)
    {
        var user = InternalKey.UserKey(key);
        int i = user.IndexOfAnyExcept((byte)0xff);
        if (i >= 0 && i + 1 < user.Length)
        {
            return WriteWithMaxTrailer(user[..(i + 1)], ref dst);
        }

        return Copy(key, ref dst);
    }

    // Writes prefix with its last byte incremented, then the largest trailer.
    private static int WriteWithMaxTrailer(ReadOnlySpan<byte> prefix, ref byte[] dst)
    {
        int length = InternalKey.EncodedLength(prefix.Length);
        Grow(ref dst, length);
        InternalKey.Encode(dst, prefix, InternalKey.MaxSequence, InternalKey.KindForSeek);
        dst[prefix.Length - 1]++;
        return length;
    }

    private static int Copy(ReadOnlySpan<byte> key, ref byte[] dst)
    {
        Grow(ref dst, key.Length);
        key.CopyTo(dst);
        return key.Length;
    }

    private static void Grow(ref byte[] dst, int length)
    {
        if (dst.Length < length)
        {
            dst = new byte[Math.Max(length, dst.Length * 2)];
        }
    }
}
