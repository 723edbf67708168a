namespace CallCenter.WebRtc.Srtp;

/// <summary>The SRTP protection profiles we speak (RFC 5764 section 4.1.2 and RFC 7714 section 14 names).</summary>
public enum SrtpProfile
{
    /// <summary>AES-128 counter mode, HMAC-SHA1 with an 80-bit tag on SRTP and SRTCP (RFC 3711; what browsers offer first).</summary>
    AesCm128HmacSha1_80,

    /// <summary>As the 80-bit profile but a 32-bit tag on SRTP; SRTCP keeps the 80-bit tag (RFC 5764 section 4.1.2).</summary>
    AesCm128HmacSha1_32,

    /// <summary>AES-128 in GCM, a 128-bit tag, 96-bit salt (RFC 7714).</summary>
    AeadAes128Gcm,
}

/// <summary>Sizes that follow from a profile.</summary>
public static class SrtpProfileSizes
{
    public const int MasterKeyLength = 16;
    public const int SessionKeyLength = 16;
    public const int AuthKeyLength = 20;
    public const int SrtcpIndexLength = 4;

    public static bool IsAead(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm;

    /// <summary>14 bytes for AES-CM (RFC 3711), 12 for AES-GCM (RFC 7714 section 12); the session salt is as long.</summary>
    public static int MasterSaltLength(this SrtpProfile profile) => profile.IsAead() ? 12 : 14;

    /// <summary>Bytes an SRTP packet grows by when protected: the tag.</summary>
    public static int RtpTagLength(this SrtpProfile profile) => profile switch
    {
        SrtpProfile.AesCm128HmacSha1_32 => 4,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => 10,
    };

    /// <summary>The SRTCP tag: 80 bits for both AES-CM profiles, 128 for GCM.</summary>
    public static int RtcpTagLength(this SrtpProfile profile) => profile.IsAead() ? 16 : 10;

    /// <summary>Bytes an SRTCP packet grows by when protected: the E flag with the 31-bit index, and the tag.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => SrtcpIndexLength + profile.RtcpTagLength();
}
