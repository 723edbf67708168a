namespace CallCenter.WebRtc.Srtp;

/// <summary>The SRTP protection profiles we speak (RFC 5764 section 4.1.2 names, RFC 3711 transforms).</summary>
public enum SrtpProfile
{
    /// <summary>AES-128 counter mode, HMAC-SHA1 with an 80-bit tag on SRTP and SRTCP (what browsers offer first).</summary>
    AesCm128HmacSha1_80,

    /// <summary>As the 80-bit profile but a 32-bit tag on SRTP; SRTCP keeps the 80-bit tag (RFC 5764 section 4.1.2).</summary>
    AesCm128HmacSha1_32,
}

/// <summary>Sizes that follow from a profile.</summary>
public static class SrtpProfileSizes
{
    public const int MasterKeyLength = 16;
    public const int MasterSaltLength = 14;
    public const int SessionKeyLength = 16;
    public const int SessionSaltLength = 14;
    public const int AuthKeyLength = 20;
    public const int SrtcpTagLength = 10;

    /// <summary>Bytes an SRTP packet grows by when protected.</summary>
    public static int RtpTagLength(this SrtpProfile profile) => profile == SrtpProfile.AesCm128HmacSha1_32 ? 4 : 10;

    /// <summary>Bytes an SRTCP packet grows by when protected: the E flag with the 31-bit index, and the tag.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => 4 + SrtcpTagLength;
}
