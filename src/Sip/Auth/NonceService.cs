using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CallCenter.Sip.Auth;

/// <summary>What a nonce turned out to be when checked.</summary>
internal enum NonceState
{
    /// <summary>Not one of ours: bad encoding, wrong MAC, other realm, or a time in the future.</summary>
    Invalid,

    /// <summary>Ours and within its lifetime.</summary>
    Valid,

    /// <summary>Ours but older than the lifetime.</summary>
    Expired,
}

/// <summary>
/// Stateless, self-validating nonces: base64url(version | issued-at ms | 8 random bytes | HMAC-SHA256),
/// where the MAC covers the version, issue time, random bytes and realm under a secret key. The
/// server keeps no list of issued nonces; it recomputes the MAC to know a nonce is its own.
/// </summary>
internal sealed class NonceService
{
    private const byte Version = 1;
    private const int HeaderLength = 1 + 8 + 8;
    private const int MacLength = 32;
    private const int NonceLength = HeaderLength + MacLength;

    // Future timestamps are forged or from a peer with a skewed clock; allow a little skew.
    private static readonly TimeSpan AllowedClockSkew = TimeSpan.FromSeconds(30);
    private static readonly byte[] ProcessSecret = RandomNumberGenerator.GetBytes(32);
    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly byte[] _key;
    private readonly byte[] _realm;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public NonceService(string realm, byte[]? secret, TimeSpan lifetime, TimeProvider time)
    {
        if (secret is not null && secret.Length < 32)
        {
            throw new ArgumentException("The nonce secret must be at least 32 bytes.", nameof(secret));
        }

        _key = secret is null ? ProcessSecret : (byte[])secret.Clone();
        _realm = Encoding.UTF8.GetBytes(realm);
        _time = time;
        _lifetime = lifetime;
        byte[] opaqueInput = [.. "opaque:"u8.ToArray(), .. _realm];
        Opaque = Base64Url.EncodeToString(HMACSHA256.HashData(_key, opaqueInput).AsSpan(0, 16));
    }

    /// <summary>A constant opaque value for this realm and key; clients echo it back.</summary>
    public string Opaque { get; }

    public string Create()
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        nonce[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(nonce[1..], _time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(9, 8));
        ComputeMac(nonce[..HeaderLength], nonce[HeaderLength..]);
        return Base64Url.EncodeToString(nonce);
    }

    private static bool TryDecode(string text, Span<byte> bytes, out int written)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(text, bytes, out written);
        }
        catch (FormatException)
        {
            written = 0;
            return false;
        }
    }

    public NonceState Check(string nonce, out DateTimeOffset issuedAt)
    {
        issuedAt = default;
        Span<byte> bytes = stackalloc byte[NonceLength];
        // Base64Url.TryDecodeFromChars throws (rather than returning false) on some non-ASCII input and on a final
        // character with non-zero unused bits, so check the alphabet first and treat a throw as invalid: a nonce is
        // attacker-controlled text.
        if (nonce.Length != Base64Url.GetEncodedLength(NonceLength)
            || nonce.AsSpan().ContainsAnyExcept(Base64UrlAlphabet)
            || !TryDecode(nonce, bytes, out int written)
            || written != NonceLength
            || bytes[0] != Version)
        {
            return NonceState.Invalid;
        }

        // Reject non-canonical encodings so one nonce has exactly one spelling (it keys the nc map).
        if (!string.Equals(Base64Url.EncodeToString(bytes), nonce, StringComparison.Ordinal))
        {
            return NonceState.Invalid;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        ComputeMac(bytes[..HeaderLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[HeaderLength..]))
        {
            return NonceState.Invalid;
        }

        long milliseconds = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        if (milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return NonceState.Invalid;
        }

        issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        DateTimeOffset now = _time.GetUtcNow();
        if (issuedAt > now + AllowedClockSkew)
        {
            return NonceState.Invalid;
        }

        return now - issuedAt > _lifetime ? NonceState.Expired : NonceState.Valid;
    }

    private void ComputeMac(ReadOnlySpan<byte> header, Span<byte> destination)
    {
        byte[] data = new byte[header.Length + _realm.Length];
        header.CopyTo(data);
        _realm.CopyTo(data.AsSpan(header.Length));
        HMACSHA256.HashData(_key, data, destination);
    }
}
