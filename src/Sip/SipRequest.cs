using CallCenter.Sip.Parsing;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip;

/// <summary>Request-Line = Method SP Request-URI SP SIP-Version.</summary>
public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, AddressUri requestUri)
    {
        if (!SipGrammar.IsToken(method))
        {
            throw new ArgumentException($"'{method}' is not a valid SIP method token.", nameof(method));
        }

        Method = method;
        RequestUri = requestUri;
    }

    /// <summary>The method, case-sensitive as RFC 3261 requires ("INVITE", not "invite").</summary>
    public string Method { get; }

    public AddressUri RequestUri { get; set; }

    protected override string BuildStartLine() => $"{Method} {RequestUri} {Version}";
}
