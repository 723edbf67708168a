using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Web.Security;

/// <summary>
/// Salted slow hashes of agent secrets: PBKDF2 with HMAC-SHA256, stored as "pbkdf2-sha256$iterations$salt$hash"
/// (base64). Verification takes the same time whether the user exists or not (see <see cref="VerifyOrDummy"/>).
/// </summary>
public static class SecretHasher
{
    public const string Scheme = "pbkdf2-sha256";
    public const int DefaultIterations = 100_000;
    public const int MinimumIterations = 10_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Verified when the user is unknown, so a wrong user costs what a wrong secret costs.</summary>
    private static readonly Lazy<string> Dummy = new(() => Hash("not a secret anyone has", DefaultIterations));

    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="stored"/> is a hash this class can verify (a configuration check).</summary>
    public static bool IsWellFormed(string? stored) => TryParse(stored, out _, out _, out _);

    public static bool Verify(string secret, string stored)
    {
        if (!TryParse(stored, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Verifies against <paramref name="stored"/>, or, for an unknown user, against a dummy hash (and fails).</summary>
    public static bool VerifyOrDummy(string secret, string? stored)
    {
        if (stored is null)
        {
            Verify(secret, Dummy.Value);
            return false;
        }

        return Verify(secret, stored);
    }

    private static bool TryParse(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = [];
        hash = [];
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < MinimumIterations)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }
}
