using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Sip.Auth;

/// <summary>
/// A digest hash algorithm by its RFC 8760 / RFC 7616 name. Only MD5 and SHA-256 are implemented;
/// the session variants ("-sess") and SHA-512-256 are recognised by name but not supported.
/// </summary>
public sealed class DigestAlgorithm : IEquatable<DigestAlgorithm>
{
    /// <summary>MD5 (RFC 2617), the default when a challenge names no algorithm.</summary>
    public static readonly DigestAlgorithm Md5 = new("MD5", strength: 1, HashMd5);

    /// <summary>SHA-256 (RFC 7616, RFC 8760).</summary>
    public static readonly DigestAlgorithm Sha256 = new("SHA-256", strength: 2, HashSha256);

    private readonly Func<byte[], byte[]> _hash;

    private DigestAlgorithm(string name, int strength, Func<byte[], byte[]> hash)
    {
        Name = name;
        Strength = strength;
        _hash = hash;
    }

    /// <summary>The supported algorithms, strongest first.</summary>
    public static IReadOnlyList<DigestAlgorithm> Supported { get; } = [Sha256, Md5];

    /// <summary>The token written in the algorithm parameter ("MD5", "SHA-256").</summary>
    public string Name { get; }

    /// <summary>Higher is stronger; a client picks the strongest algorithm it is offered.</summary>
    public int Strength { get; }

    /// <summary>
    /// Maps an algorithm parameter to a supported algorithm; null or empty means MD5 (RFC 2617).
    /// Names are compared case-insensitively. Returns false for unsupported names.
    /// </summary>
    public static bool TryFromName(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DigestAlgorithm? algorithm)
    {
        if (string.IsNullOrEmpty(name) || name.Equals(Md5.Name, StringComparison.OrdinalIgnoreCase))
        {
            algorithm = Md5;
            return true;
        }

        if (name.Equals(Sha256.Name, StringComparison.OrdinalIgnoreCase))
        {
            algorithm = Sha256;
            return true;
        }

        algorithm = null;
        return false;
    }

    /// <summary>H(data): the lower-case hex digest of the UTF-8 bytes of <paramref name="data"/>.</summary>
    public string Hash(string data) => Convert.ToHexStringLower(_hash(Encoding.UTF8.GetBytes(data)));

    public bool Equals(DigestAlgorithm? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;

#pragma warning disable CA5351 // MD5 is what RFC 2617 digest authentication is defined over.
    private static byte[] HashMd5(byte[] data) => MD5.HashData(data);
#pragma warning restore CA5351

    private static byte[] HashSha256(byte[] data) => SHA256.HashData(data);
}
