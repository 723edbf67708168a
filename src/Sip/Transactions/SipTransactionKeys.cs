using System.Globalization;
using CallCenter.Sip.Headers;

namespace CallCenter.Sip.Transactions;

/// <summary>How messages are matched to transactions (RFC 3261 sections 17.1.3 and 17.2.3).</summary>
internal static class SipTransactionKeys
{
    /// <summary>Section 17.1.3: a client transaction is the branch of its top Via and its CSeq method.</summary>
    public static string Client(string branch, string cseqMethod) => branch + "|" + cseqMethod;

    /// <summary>
    /// Section 17.2.3: branch + sent-by + method (ACK and CANCEL-lookups use INVITE) when the branch
    /// carries the magic cookie; otherwise a simplified RFC 2543 key from Call-ID, From tag, CSeq
    /// number and the whole top Via. Null without a Via.
    /// </summary>
    public static string? Server(SipRequest request, string? methodOverride = null)
    {
        ViaHeader? via = request.TopVia;
        if (via is null)
        {
            return null;
        }

        string method = methodOverride ?? (request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method);
        string sentBy = via.Host.ToLowerInvariant() + ":" + (via.Port?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
        if (via.Branch is string branch && branch.StartsWith(ViaHeader.MagicCookie, StringComparison.Ordinal))
        {
            return branch + "|" + sentBy + "|" + method;
        }

        return "2543|" + request.CallId + "|" + request.From?.Tag + "|" + request.CSeq?.Number.ToString(CultureInfo.InvariantCulture)
            + "|" + via + "|" + method;
    }

    /// <summary>Whether a request has every header a transaction needs to be keyed and answered.</summary>
    public static bool HasTransactionHeaders(SipRequest request) =>
        request.Headers.Contains(SipHeaderNames.Via) && request.Headers.Contains(SipHeaderNames.CSeq)
        && request.Headers.Contains(SipHeaderNames.CallId) && request.Headers.Contains(SipHeaderNames.From)
        && request.Headers.Contains(SipHeaderNames.To);

    public static bool HasReadableCSeq(SipRequest request)
    {
        try
        {
            return request.CSeq is not null;
        }
        catch (SipParseException)
        {
            return false;
        }
    }
}
