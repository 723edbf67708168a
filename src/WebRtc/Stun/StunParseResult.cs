namespace CallCenter.WebRtc.Stun;

/// <summary>Why a datagram was not accepted as a STUN message; the caller counts these.</summary>
public enum StunParseFailure
{
    None = 0,
    /// <summary>Shorter than the 20-byte header, or than the length the header announces.</summary>
    Truncated,
    /// <summary>The two top bits of the first byte are not zero: not STUN (RFC 7983 demultiplexing).</summary>
    NotStun,
    BadMagicCookie,
    /// <summary>The message length is not a multiple of 4 or disagrees with the datagram size.</summary>
    BadMessageLength,
    /// <summary>An attribute's length runs past the end of the message.</summary>
    BadAttributeLength,
    /// <summary>A known attribute whose value has the wrong size or content (bad address family, error class...).</summary>
    BadAttributeValue,
    /// <summary>FINGERPRINT is not the last attribute.</summary>
    AttributeAfterFingerprint,
    BadFingerprint,
    BadMessageIntegrity,
    /// <summary>A comprehension-required attribute we do not know; the message is still returned (for a 420).</summary>
    UnknownComprehensionRequired,
}

/// <summary>Either a message or the reason there is none. <see cref="Message"/> is also set for
/// <see cref="StunParseFailure.UnknownComprehensionRequired"/> and <see cref="StunParseFailure.BadMessageIntegrity"/>
/// so a server can still answer with 420 or 401.</summary>
public readonly record struct StunParseResult(StunParseFailure Failure, StunMessage? Message)
{
    public bool Succeeded => Failure == StunParseFailure.None;

    public static StunParseResult Fail(StunParseFailure failure) => new(failure, null);
}
