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
    private const int PrfSaltLength = 14;
    private const byte RtpEncryptionLabel = 0;
    private const byte RtpAuthenticationLabel = 1;
    private const byte RtpSaltLabel = 2;
    private const byte RtcpEncryptionLabel = 3;
    private const byte RtcpAuthenticationLabel = 4;
    private const byte RtcpSaltLabel = 5;

    public static SrtpSessionKeys Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt) =>
        Derive(SrtpProfile.AesCm128HmacSha1_80, masterKey, masterSalt);

    /// <summary>
    /// For AES-GCM the 12-byte master salt enters the PRF with two zero bytes after it, and the session salts are
    /// 12 bytes (RFC 7714 section 11 as corrected by erratum 4938); the authentication keys are derived but unused.
    /// </summary>
    public static SrtpSessionKeys Derive(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != SrtpProfileSizes.MasterKeyLength)
        {
            throw new ArgumentException($"An SRTP master key is {SrtpProfileSizes.MasterKeyLength} bytes, not {masterKey.Length}.", nameof(masterKey));
        }

        var saltLength = profile.MasterSaltLength();
        if (masterSalt.Length != saltLength)
        {
            throw new ArgumentException($"A {profile} master salt is {saltLength} bytes, not {masterSalt.Length}.", nameof(masterSalt));
        }

        Span<byte> salt = stackalloc byte[PrfSaltLength];
        salt.Clear();
        masterSalt.CopyTo(salt);
        using var prf = new AesCounterMode(masterKey);
        return new SrtpSessionKeys(
            DeriveOne(prf, salt, RtpEncryptionLabel, SrtpProfileSizes.SessionKeyLength),
            DeriveOne(prf, salt, RtpAuthenticationLabel, SrtpProfileSizes.AuthKeyLength),
            DeriveOne(prf, salt, RtpSaltLabel, saltLength),
            DeriveOne(prf, salt, RtcpEncryptionLabel, SrtpProfileSizes.SessionKeyLength),
            DeriveOne(prf, salt, RtcpAuthenticationLabel, SrtpProfileSizes.AuthKeyLength),
            DeriveOne(prf, salt, RtcpSaltLabel, saltLength));
    }

    private static byte[] DeriveOne(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        // key_id = label || (index DIV kdr) is 7 bytes aligned to the right of the 14-byte salt; with kdr 0 only the label is non-zero.
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        var output = new byte[length];
        prf.Apply(iv, output);
        return output;
    }
}
