using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CallCenter.WebRtc.Stun;

/// <summary>HMAC-SHA1 of MESSAGE-INTEGRITY and the CRC of FINGERPRINT, both over a prefix of the message.</summary>
public static class StunIntegrity
{
    /// <summary>Short-term credentials (RFC 5389 section 15.4): the key is the password itself, UTF-8 encoded.</summary>
    public static byte[] ShortTermKey(string password) => Encoding.UTF8.GetBytes(password);

    /// <summary>
    /// Long-term credentials (RFC 5389 section 15.4): MD5(username ":" realm ":" password). The password is taken
    /// as given (no SASLprep), which is right for ASCII passwords.
    /// </summary>
    public static byte[] LongTermKey(string username, string realm, string password)
        => MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{realm}:{password}"));

    /// <summary>
    /// HMAC-SHA1 over <paramref name="prefix"/> (header and attributes before MESSAGE-INTEGRITY) with the header's
    /// length field set to cover the prefix plus the 24 bytes of MESSAGE-INTEGRITY itself.
    /// </summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, Span<byte> destination)
    {
        var adjusted = prefix.Length <= 512 ? stackalloc byte[prefix.Length] : new byte[prefix.Length];
        prefix.CopyTo(adjusted);
        var lengthThroughIntegrity = prefix.Length - StunWire.HeaderLength
            + StunWire.AttributeHeaderLength + StunWire.MessageIntegrityLength;
        BinaryPrimitives.WriteUInt16BigEndian(adjusted[2..], (ushort)lengthThroughIntegrity);
        HMACSHA1.HashData(key, adjusted, destination);
    }

    /// <summary>FINGERPRINT value (RFC 5389 section 15.5) over the message before the attribute, length already final.</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> prefix) => Crc32.Compute(prefix) ^ StunWire.FingerprintXor;
}
