using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CallCenter.WebRtc.Dtls;

/// <summary>Why an SDP fingerprint attribute was refused (RFC 8122 §5).</summary>
public enum FingerprintParseError
{
    None,
    Empty,
    MissingHashFunction,
    UnsupportedHashFunction,
    MalformedHexPairs,
    WrongLength,
}

/// <summary>
/// A certificate fingerprint as SDP carries it (RFC 8122 §5, formerly RFC 4572): a hash function name and the hash of
/// the DER certificate, written as upper-case hex pairs separated by colons.
/// </summary>
public sealed class DtlsFingerprint : IEquatable<DtlsFingerprint>
{
    // Strongest first: RFC 8122 §5 has us check the certificate against the fingerprints of our most preferred function.
    private static readonly string[] SupportedHashFunctionsByPreference = ["sha-512", "sha-384", "sha-256", "sha-1"];

    private readonly byte[] _value;

    private DtlsFingerprint(string hashFunction, byte[] value)
    {
        HashFunction = hashFunction;
        _value = value;
    }

    /// <summary>The lower-case hash function token, e.g. "sha-256".</summary>
    public string HashFunction { get; }

    public ReadOnlySpan<byte> Value => _value;

    public static DtlsFingerprint Compute(ReadOnlySpan<byte> certificateDer, string hashFunction = "sha-256")
    {
        var normalized = hashFunction.ToLowerInvariant();
        return HashLength(normalized) is null
            ? throw new ArgumentException($"Unsupported fingerprint hash function '{hashFunction}'.", nameof(hashFunction))
            : new DtlsFingerprint(normalized, Hash(normalized, certificateDer));
    }

    /// <summary>"sha-256 AB:CD:…", the value of an <c>a=fingerprint</c> attribute.</summary>
    public string ToSdpValue()
    {
        var text = new StringBuilder(HashFunction.Length + 1 + (_value.Length * 3));
        text.Append(HashFunction).Append(' ');
        for (var i = 0; i < _value.Length; i++)
        {
            if (i > 0)
            {
                text.Append(':');
            }

            text.Append(_value[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>The whole SDP line without its line ending: <c>a=fingerprint:sha-256 AB:CD:…</c>.</summary>
    public string ToSdpAttribute() => "a=fingerprint:" + ToSdpValue();

    public override string ToString() => ToSdpValue();

    /// <summary>
    /// Parses <c>a=fingerprint:sha-256 AB:…</c>, <c>fingerprint:sha-256 AB:…</c> or the bare value. Never throws: the
    /// remote SDP is untrusted input.
    /// </summary>
    public static bool TryParse(string? text, out DtlsFingerprint? fingerprint, out FingerprintParseError error)
    {
        fingerprint = null;
        var span = text.AsSpan().Trim();
        if (span.StartsWith("a=", StringComparison.Ordinal))
        {
            span = span[2..];
        }

        if (span.StartsWith("fingerprint:", StringComparison.OrdinalIgnoreCase))
        {
            span = span["fingerprint:".Length..];
        }

        span = span.Trim();
        if (span.IsEmpty)
        {
            error = FingerprintParseError.Empty;
            return false;
        }

        var space = span.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            error = FingerprintParseError.MissingHashFunction;
            return false;
        }

        var hashFunction = span[..space].ToString().ToLowerInvariant();
        var expectedLength = HashLength(hashFunction);
        if (expectedLength is null)
        {
            error = FingerprintParseError.UnsupportedHashFunction;
            return false;
        }

        var hex = span[(space + 1)..].Trim();
        // Each byte is two hex digits, with a colon between bytes: 3n - 1 characters.
        if ((hex.Length + 1) % 3 != 0)
        {
            error = FingerprintParseError.MalformedHexPairs;
            return false;
        }

        var value = new byte[(hex.Length + 1) / 3];
        for (var i = 0; i < value.Length; i++)
        {
            var pair = hex.Slice(i * 3, 2);
            var separatorOk = i == value.Length - 1 || hex[(i * 3) + 2] == ':';
            if (!separatorOk || !byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value[i]))
            {
                error = FingerprintParseError.MalformedHexPairs;
                return false;
            }
        }

        if (value.Length != expectedLength)
        {
            error = FingerprintParseError.WrongLength;
            return false;
        }

        fingerprint = new DtlsFingerprint(hashFunction, value);
        error = FingerprintParseError.None;
        return true;
    }

    /// <summary>Whether this fingerprint is the hash of the given DER certificate (compared in constant time).</summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer) =>
        CryptographicOperations.FixedTimeEquals(Hash(HashFunction, certificateDer), _value);

    /// <summary>
    /// RFC 8122 §5: take the fingerprints of the strongest hash function offered and require the certificate to match one
    /// of them. An empty list never matches.
    /// </summary>
    public static bool AnyMatches(IReadOnlyList<DtlsFingerprint> acceptable, ReadOnlySpan<byte> certificateDer)
    {
        foreach (var hashFunction in SupportedHashFunctionsByPreference)
        {
            var offered = false;
            foreach (var candidate in acceptable)
            {
                if (candidate.HashFunction != hashFunction)
                {
                    continue;
                }

                offered = true;
                if (candidate.Matches(certificateDer))
                {
                    return true;
                }
            }

            if (offered)
            {
                return false;
            }
        }

        return false;
    }

    public bool Equals(DtlsFingerprint? other) =>
        other is not null && other.HashFunction == HashFunction && other._value.AsSpan().SequenceEqual(_value);

    public override bool Equals(object? obj) => Equals(obj as DtlsFingerprint);

    public override int GetHashCode() => HashCode.Combine(HashFunction, _value.Length > 0 ? _value[0] : 0, _value.Length);

    private static int? HashLength(string hashFunction) => hashFunction switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => null,
    };

    private static byte[] Hash(string hashFunction, ReadOnlySpan<byte> data) => hashFunction switch
    {
        "sha-1" => SHA1.HashData(data),
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        "sha-512" => SHA512.HashData(data),
        _ => throw new ArgumentException($"Unsupported fingerprint hash function '{hashFunction}'.", nameof(hashFunction)),
    };
}
