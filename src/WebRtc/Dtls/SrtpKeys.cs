namespace CallCenter.WebRtc.Dtls;

/// <summary>SRTP protection profiles of the use_srtp extension, with their RFC 5764 §4.1.2 / RFC 7714 §14.2 ids.</summary>
public enum DtlsSrtpProfile
{
    Aes128CmHmacSha1_80 = 0x0001,
    AeadAes128Gcm = 0x0007,
}

public static class DtlsSrtpProfiles
{
    public static int MasterKeyLength(DtlsSrtpProfile profile) => 16;

    /// <summary>14 bytes for AES-CM (RFC 3711 §8.2), 12 for AES-GCM (RFC 7714 §12).</summary>
    public static int MasterSaltLength(DtlsSrtpProfile profile) => profile == DtlsSrtpProfile.AeadAes128Gcm ? 12 : 14;
}

/// <summary>
/// The SRTP master keys and salts one end of a DTLS-SRTP association uses: Local protects what we send, Remote
/// unprotects what we receive. Our client write key is the peer's remote key and the other way round.
/// </summary>
public sealed record SrtpKeys(
    DtlsSrtpProfile Profile,
    byte[] LocalMasterKey,
    byte[] LocalMasterSalt,
    byte[] RemoteMasterKey,
    byte[] RemoteMasterSalt)
{
    /// <summary>
    /// RFC 5764 §4.2: the exporter output is client key | server key | client salt | server salt.
    /// </summary>
    public static SrtpKeys FromKeyingMaterial(DtlsSrtpProfile profile, ReadOnlySpan<byte> material, DtlsRole localRole)
    {
        var keyLength = DtlsSrtpProfiles.MasterKeyLength(profile);
        var saltLength = DtlsSrtpProfiles.MasterSaltLength(profile);
        if (material.Length != 2 * (keyLength + saltLength))
        {
            throw new ArgumentException($"Expected {2 * (keyLength + saltLength)} bytes of keying material.", nameof(material));
        }

        var clientKey = material[..keyLength].ToArray();
        var serverKey = material.Slice(keyLength, keyLength).ToArray();
        var clientSalt = material.Slice(2 * keyLength, saltLength).ToArray();
        var serverSalt = material.Slice((2 * keyLength) + saltLength, saltLength).ToArray();
        return localRole == DtlsRole.Client
            ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
            : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    public static int KeyingMaterialLength(DtlsSrtpProfile profile) =>
        2 * (DtlsSrtpProfiles.MasterKeyLength(profile) + DtlsSrtpProfiles.MasterSaltLength(profile));

    // Keys stay out of logs.
    public override string ToString() => $"SrtpKeys {{ Profile = {Profile} }}";
}
