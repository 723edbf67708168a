namespace CallCenter.WebRtc.Srtp;

/// <summary>One direction's SRTP master key and master salt.</summary>
public sealed record SrtpMasterKey(byte[] Key, byte[] Salt);

/// <summary>
/// Splits the keying material exported by DTLS ("EXTRACTOR-dtls_srtp", RFC 5764 section 4.2) into the two directions:
/// client write key, server write key, client write salt, server write salt, in that order.
/// </summary>
public static class SrtpKeyingMaterial
{
    /// <summary>Bytes to export for a profile: 60 for AES-CM-128, 56 for AES-128-GCM.</summary>
    public static int Length(SrtpProfile profile) => 2 * (SrtpProfileSizes.MasterKeyLength + profile.MasterSaltLength());

    public static (SrtpMasterKey Local, SrtpMasterKey Remote) Split(SrtpProfile profile, ReadOnlySpan<byte> exported, bool localIsDtlsClient)
    {
        var length = Length(profile);
        if (exported.Length != length)
        {
            throw new ArgumentException($"DTLS-SRTP keying material for {profile} is {length} bytes, not {exported.Length}.", nameof(exported));
        }

        const int keyLength = SrtpProfileSizes.MasterKeyLength;
        var saltLength = profile.MasterSaltLength();
        var client = new SrtpMasterKey(exported[..keyLength].ToArray(), exported.Slice(2 * keyLength, saltLength).ToArray());
        var server = new SrtpMasterKey(exported.Slice(keyLength, keyLength).ToArray(), exported.Slice(2 * keyLength + saltLength, saltLength).ToArray());
        return localIsDtlsClient ? (client, server) : (server, client);
    }
}
