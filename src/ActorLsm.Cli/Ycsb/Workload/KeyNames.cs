using System.Globalization;
using System.Text;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// YCSB CoreWorkload record keys: <c>"user"</c> followed by the decimal key number, left-padded
/// with zeros to <c>zeropadding</c> digits. With <c>insertorder=hashed</c> the number is first
/// replaced by its 64-bit FNV-1a hash (so consecutive inserts scatter over the key space); with
/// <c>ordered</c> it is used as is.
/// </summary>
internal static class KeyNames
{
    /// <summary>FNV-1a 64-bit offset basis.</summary>
    public const ulong FnvOffsetBasis = 0xCBF29CE484222325UL;

    /// <summary>FNV 64-bit prime.</summary>
    public const ulong FnvPrime = 0x100000001B3UL;

    public const string Prefix = "user";

    /// <summary>
    /// The FNV-1a 64-bit hash of <paramref name="value"/>'s eight bytes, least significant byte
    /// first, reinterpreted as a signed long and made non-negative by its absolute value (as
    /// YCSB's key hash). The one hash whose absolute value does not fit, <see cref="long.MinValue"/>,
    /// maps to <see cref="long.MaxValue"/>.
    /// </summary>
    public static long FnvHash64(long value)
    {
        ulong hash = FnvOffsetBasis;
        ulong v = (ulong)value;
        for (int i = 0; i < 8; i++)
        {
            hash ^= v & 0xFF;
            hash *= FnvPrime;
            v >>= 8;
        }

        long signed = unchecked((long)hash);
        return signed == long.MinValue ? long.MaxValue : Math.Abs(signed);
    }

    /// <summary>The key string of key number <paramref name="keyNumber"/> (>= 0).</summary>
    public static string Build(long keyNumber, bool ordered, int zeroPadding)
    {
        long number = ordered ? keyNumber : FnvHash64(keyNumber);
        string digits = number.ToString(CultureInfo.InvariantCulture);
        return digits.Length >= zeroPadding
            ? Prefix + digits
            : Prefix + new string('0', zeroPadding - digits.Length) + digits;
    }

    /// <summary>The key of <paramref name="keyNumber"/> as ASCII bytes, the form stored.</summary>
    public static byte[] BuildBytes(long keyNumber, bool ordered, int zeroPadding) =>
        Encoding.ASCII.GetBytes(Build(keyNumber, ordered, zeroPadding));
}
