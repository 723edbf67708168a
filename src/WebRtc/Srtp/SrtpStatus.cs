namespace CallCenter.WebRtc.Srtp;

/// <summary>What became of a packet given to protect or unprotect; anything but <see cref="Ok"/> means drop and count it.</summary>
public enum SrtpStatus
{
    Ok,

    /// <summary>Shorter than its header (with CSRCs and extension), or than the tag and SRTCP index it must carry.</summary>
    TooShort,

    /// <summary>Not RTP or RTCP version 2.</summary>
    NotVersion2,

    /// <summary>The authentication tag does not match: wrong key, or a byte changed on the way.</summary>
    BadTag,

    /// <summary>A packet index already received (RFC 3711 section 3.3.2).</summary>
    Replayed,

    /// <summary>Older than the 64-packet replay window, so whether it is a replay cannot be told.</summary>
    TooOld,

    /// <summary>The estimated index is impossible (before index 0), or the sender has used up its indices and must rekey.</summary>
    BadIndex,

    /// <summary>Protect only: the caller's buffer has no room for the tag (and the SRTCP index).</summary>
    BufferTooSmall,

    /// <summary>A valid packet from one more SSRC than the session keeps contexts for.</summary>
    TooManySsrcs,
}
