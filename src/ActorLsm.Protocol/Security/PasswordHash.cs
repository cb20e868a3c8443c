using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ActorLsm.Protocol.Security;

/// <summary>
/// Salted password hashes for the users of a node (<c>actorlsm.security.users</c>): PBKDF2 (RFC 8018) with
/// HMAC-SHA256 through <see cref="Rfc2898DeriveBytes.Pbkdf2(byte[], byte[], int, HashAlgorithmName, int)"/>,
/// written as one line
/// <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>: ITERATIONS a decimal count, SALT and HASH standard Base64
/// (16 and 32 bytes when made by <see cref="Create"/>). <c>actorlsm hash-password</c> prints one.
/// </summary>
public static class PasswordHash
{
    /// <summary>The scheme word that starts every hash.</summary>
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>
    /// Iterations <see cref="Create"/> uses by default: 100 000 (each check costs a few tens of
    /// milliseconds of one core; OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600 000).
    /// </summary>
    public const int DefaultIterations = 100_000;

    /// <summary>Fewest iterations <see cref="TryParse"/> accepts (tests use this to stay quick).</summary>
    public const int MinIterations = 1_000;

    /// <summary>Most iterations <see cref="TryParse"/> accepts (so a configured hash cannot stall every check).</summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>
    /// A new hash of <paramref name="password"/> (UTF-8) with a random 16-byte salt.
    /// Throws <see cref="ArgumentOutOfRangeException"/> when <paramref name="iterations"/> is outside
    /// [<see cref="MinIterations"/>, <see cref="MaxIterations"/>].
    /// </summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Derive(password, salt, iterations, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>
    /// Parses <paramref name="text"/>; false with <paramref name="error"/> saying what is wrong (never the hash itself).
    /// </summary>
    public static bool TryParse(string? text, out ParsedPasswordHash parsed, out string error)
    {
        parsed = default;
        string[] parts = (text ?? string.Empty).Trim().Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            error = $"expected {Scheme}$ITERATIONS$SALT$HASH (make one with `actorlsm hash-password`)";
            return false;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) || iterations < MinIterations || iterations > MaxIterations)
        {
            error = $"the iteration count must be an integer between {MinIterations} and {MaxIterations}";
            return false;
        }

        byte[] salt;
        byte[] hash;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            error = "the salt and the hash must be Base64";
            return false;
        }

        if (salt.Length < 8 || hash.Length < 16)
        {
            error = "the salt must have at least 8 bytes and the hash at least 16";
            return false;
        }

        parsed = new ParsedPasswordHash(iterations, salt, hash);
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// True when <paramref name="password"/> hashes to <paramref name="hash"/> (compared in constant time).
    /// Costs <see cref="ParsedPasswordHash.Iterations"/> HMAC rounds.
    /// </summary>
    public static bool Verify(string password, in ParsedPasswordHash hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] expected = hash.Hash.ToArray();
        byte[] actual = Derive(password, hash.Salt.ToArray(), hash.Iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);
}

/// <summary>A parsed <see cref="PasswordHash"/>: iteration count, salt and derived key.</summary>
/// <param name="Iterations">PBKDF2 iterations.</param>
/// <param name="Salt">The salt bytes.</param>
/// <param name="Hash">The derived key (its length is the length derived on a check).</param>
public readonly record struct ParsedPasswordHash(int Iterations, ReadOnlyMemory<byte> Salt, ReadOnlyMemory<byte> Hash);
