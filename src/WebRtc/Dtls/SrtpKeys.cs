using CallCenter.WebRtc.Srtp;

namespace CallCenter.WebRtc.Dtls;

/// <summary>SRTP protection profiles of the use_srtp extension, with their RFC 5764 §4.1.2 / RFC 7714 §14.2 ids.</summary>
public enum DtlsSrtpProfile
{
    Aes128CmHmacSha1_80 = 0x0001,
    AeadAes128Gcm = 0x0007,
}

/// <summary>The use_srtp ids against the SRTP library's profiles, whose sizes are the one source for both.</summary>
public static class DtlsSrtpProfiles
{
    public static SrtpProfile ToSrtpProfile(DtlsSrtpProfile profile) => profile switch
    {
        DtlsSrtpProfile.Aes128CmHmacSha1_80 => SrtpProfile.AesCm128HmacSha1_80,
        DtlsSrtpProfile.AeadAes128Gcm => SrtpProfile.AeadAes128Gcm,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a use_srtp profile we negotiate"),
    };

    public static int MasterKeyLength(DtlsSrtpProfile profile) => SrtpProfileSizes.MasterKeyLength;

    /// <summary>14 bytes for AES-CM (RFC 3711 §8.2), 12 for AES-GCM (RFC 7714 §12).</summary>
    public static int MasterSaltLength(DtlsSrtpProfile profile) => ToSrtpProfile(profile).MasterSaltLength();
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
        var (local, remote) = SrtpKeyingMaterial.Split(ToSrtp(profile), material, localIsDtlsClient: localRole == DtlsRole.Client);
        return new SrtpKeys(profile, local.Key, local.Salt, remote.Key, remote.Salt);
    }

    public static int KeyingMaterialLength(DtlsSrtpProfile profile) => SrtpKeyingMaterial.Length(ToSrtp(profile));

    private static SrtpProfile ToSrtp(DtlsSrtpProfile profile) => DtlsSrtpProfiles.ToSrtpProfile(profile);

    // Keys stay out of logs.
    public override string ToString() => $"SrtpKeys {{ Profile = {Profile} }}";
}
