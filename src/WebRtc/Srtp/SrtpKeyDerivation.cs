namespace CallCenter.WebRtc.Srtp;

/// <summary>The session keys of one SRTP master key: encryption key, authentication key and salt for SRTP and for SRTCP.</summary>
public sealed record SrtpSessionKeys(
    byte[] RtpEncryptionKey,
    byte[] RtpAuthenticationKey,
    byte[] RtpSalt,
    byte[] RtcpEncryptionKey,
    byte[] RtcpAuthenticationKey,
    byte[] RtcpSalt);

/// <summary>
/// The AES-CM key derivation of RFC 3711 section 4.3 with a key derivation rate of 0 (keys derived once, as RFC 5764
/// uses it): key = AES-CM(master key, IV = (master salt XOR (label || 0^48)) * 2^16), labels 0 to 5.
/// </summary>
public static class SrtpKeyDerivation
{
    private const byte RtpEncryptionLabel = 0;
    private const byte RtpAuthenticationLabel = 1;
    private const byte RtpSaltLabel = 2;
    private const byte RtcpEncryptionLabel = 3;
    private const byte RtcpAuthenticationLabel = 4;
    private const byte RtcpSaltLabel = 5;

    public static SrtpSessionKeys Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != SrtpProfileSizes.MasterKeyLength)
        {
            throw new ArgumentException($"An SRTP master key is {SrtpProfileSizes.MasterKeyLength} bytes, not {masterKey.Length}.", nameof(masterKey));
        }

        if (masterSalt.Length != SrtpProfileSizes.MasterSaltLength)
        {
            throw new ArgumentException($"An SRTP master salt is {SrtpProfileSizes.MasterSaltLength} bytes, not {masterSalt.Length}.", nameof(masterSalt));
        }

        using var prf = new AesCounterMode(masterKey);
        return new SrtpSessionKeys(
            DeriveOne(prf, masterSalt, RtpEncryptionLabel, SrtpProfileSizes.SessionKeyLength),
            DeriveOne(prf, masterSalt, RtpAuthenticationLabel, SrtpProfileSizes.AuthKeyLength),
            DeriveOne(prf, masterSalt, RtpSaltLabel, SrtpProfileSizes.SessionSaltLength),
            DeriveOne(prf, masterSalt, RtcpEncryptionLabel, SrtpProfileSizes.SessionKeyLength),
            DeriveOne(prf, masterSalt, RtcpAuthenticationLabel, SrtpProfileSizes.AuthKeyLength),
            DeriveOne(prf, masterSalt, RtcpSaltLabel, SrtpProfileSizes.SessionSaltLength));
    }

    private static byte[] DeriveOne(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        // key_id = label || (index DIV kdr) is 7 bytes aligned to the right of the 14-byte salt; with kdr 0 only the label is non-zero.
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        var output = new byte[length];
        prf.Apply(iv, output);
        return output;
    }
}
