namespace CallCenter.Sip;

/// <summary>
/// The only exception the SIP message parser throws. It carries the status code a server
/// should answer with (400 for malformed input, 505 for an unsupported SIP version, ...).
/// </summary>
public sealed class SipParseException : Exception
{
    public SipParseException(string message, int suggestedStatusCode = 400, bool isResponse = false)
        : base(message)
    {
        SuggestedStatusCode = suggestedStatusCode;
        IsResponse = isResponse;
    }

    /// <summary>The status code to answer a malformed request with (400, 505, 501...).</summary>
    public int SuggestedStatusCode { get; }

    /// <summary>
    /// True when the start line looked like a status line. Responses cannot be answered,
    /// so a receiver silently drops them instead of replying with <see cref="SuggestedStatusCode"/>.
    /// </summary>
    public bool IsResponse { get; }

    internal SipParseException AsResponse(bool isResponse) =>
        isResponse == IsResponse ? this : new SipParseException(Message, SuggestedStatusCode, isResponse);
}
