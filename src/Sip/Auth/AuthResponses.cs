using System.Security.Cryptography;
using CallCenter.Sip.Headers;

namespace CallCenter.Sip.Auth;

/// <summary>Builds responses to a request: copies Via, From, To, Call-ID and CSeq (RFC 3261 section 8.2.6.2).</summary>
public static class AuthResponses
{
    public const string UnauthorizedReason = "Unauthorized";
    public const string ProxyAuthenticationRequiredReason = "Proxy Authentication Required";

    /// <summary>
    /// A response with the request's Via headers (all, in order), From, To, Call-ID and CSeq.
    /// When To has no tag, <paramref name="toTag"/> (or a new random tag) is appended.
    /// </summary>
    /// <exception cref="SipParseException">The request's To header is malformed.</exception>
    public static SipResponse CreateResponse(SipRequest request, int statusCode, string reasonPhrase, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        foreach (string via in request.Headers.GetAll(SipHeaderNames.Via))
        {
            response.Headers.Add(SipHeaderNames.Via, via);
        }

        CopyFirst(request, response, SipHeaderNames.From);
        if (request.Headers.GetFirst(SipHeaderNames.To) is string to)
        {
            NameAddress address = NameAddress.Parse(to, SipHeaderNames.To);
            // Appending keeps the value as received; in both the name-addr and the addr-spec form a
            // trailing ";tag=" is a header parameter.
            response.Headers.Add(SipHeaderNames.To, address.Tag is null ? $"{to};tag={toTag ?? NewTag()}" : to);
        }

        CopyFirst(request, response, SipHeaderNames.CallId);
        CopyFirst(request, response, SipHeaderNames.CSeq);
        return response;
    }

    /// <summary>
    /// A 401 with one WWW-Authenticate per challenge, or in proxy mode a 407 with Proxy-Authenticate.
    /// </summary>
    public static SipResponse CreateChallenge(SipRequest request, IEnumerable<DigestChallenge> challenges, bool proxy, string? toTag = null)
    {
        SipResponse response = proxy
            ? CreateResponse(request, 407, ProxyAuthenticationRequiredReason, toTag)
            : CreateResponse(request, 401, UnauthorizedReason, toTag);
        string headerName = proxy ? DigestHeaderNames.ProxyAuthenticate : DigestHeaderNames.WwwAuthenticate;
        foreach (DigestChallenge challenge in challenges)
        {
            response.Headers.Add(headerName, challenge.ToString());
        }

        return response;
    }

    /// <summary>A random tag: 16 lower-case hex characters (64 bits, RFC 3261 section 19.3 asks for 32).</summary>
    public static string NewTag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static void CopyFirst(SipRequest request, SipResponse response, string name)
    {
        if (request.Headers.GetFirst(name) is string value)
        {
            response.Headers.Add(name, value);
        }
    }
}
