using System.Diagnostics.CodeAnalysis;

namespace CallCenter.Sip.Transport;

/// <summary>Why a WebSocket message did not yield a SIP message (or <see cref="None"/>).</summary>
public enum SipFrameFailure
{
    None,

    /// <summary>An empty message, or one of only line breaks (a keep-alive some clients send).</summary>
    Empty,

    /// <summary>Larger than the transport's message size limit.</summary>
    TooLarge,

    /// <summary>Not a SIP message (the parser refused it).</summary>
    Malformed,
}

/// <summary>
/// The frame-to-message step of SIP over WebSocket (RFC 7118 section 5.1): each WebSocket message, text or binary,
/// carries exactly one SIP message, so there is no framing by Content-Length across messages; the body is what follows
/// the header section. A bad message yields a failure the caller counts and, for a request whose Via, From, To,
/// Call-ID and CSeq could be read, the 400 (or 505, 501) to send back. Never throws.
/// </summary>
public static class SipWebSocketFrame
{
    public static bool TryRead(
        ReadOnlySpan<byte> payload,
        int maxMessageSize,
        [NotNullWhen(true)] out SipMessage? message,
        out SipFrameFailure failure,
        out SipResponse? errorResponse)
    {
        message = null;
        errorResponse = null;
        if (payload.Length > maxMessageSize)
        {
            failure = SipFrameFailure.TooLarge;
            return false;
        }

        if (payload.TrimStart("\r\n"u8).IsEmpty)
        {
            failure = SipFrameFailure.Empty;
            return false;
        }

        try
        {
            if (SipMessageParser.TryParse(payload, out message, out SipParseException? error))
            {
                failure = SipFrameFailure.None;
                return true;
            }

            errorResponse = SipMalformedRequestResponder.TryCreateResponse(payload, error);
        }
#pragma warning disable CA1031 // Untrusted input: any parser fault is a malformed frame, never a crash of the connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            message = null;
        }

        failure = SipFrameFailure.Malformed;
        return false;
    }
}
