using System.Globalization;

namespace CallCenter.Sip;

/// <summary>Status-Line = SIP-Version SP Status-Code SP Reason-Phrase.</summary>
public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string reasonPhrase)
    {
        if (statusCode is < 100 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A SIP status code is between 100 and 699.");
        }

        if (reasonPhrase.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A reason phrase cannot contain CR or LF.", nameof(reasonPhrase));
        }

        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
    }

    public int StatusCode { get; }

    /// <summary>The reason phrase, possibly empty.</summary>
    public string ReasonPhrase { get; }

    protected override string BuildStartLine() =>
        $"{Version} {StatusCode.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase}";
}
