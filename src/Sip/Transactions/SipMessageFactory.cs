using System.Security.Cryptography;
using CallCenter.Sip.Headers;

namespace CallCenter.Sip.Transactions;

/// <summary>Builds the messages the transaction layer and a UA core need: responses, CANCEL, ACK for non-2xx.</summary>
public static class SipMessageFactory
{
    /// <summary>A new RFC 3261 branch: the magic cookie followed by random hex.</summary>
    public static string NewBranch() => ViaHeader.MagicCookie + RandomHex(12);

    /// <summary>A random From/To tag.</summary>
    public static string NewTag() => RandomHex(8);

    /// <summary>
    /// The To tag a UAS gives its responses to <paramref name="request"/> when the TU chose none: derived from the
    /// Call-ID, the From tag and the top Via branch, so a retransmitted request (and its CANCEL, which has the
    /// INVITE's branch) gets the same tag even from a stateless responder (RFC 3261 sections 8.2.6.2, 8.2.7, 9.2).
    /// </summary>
    public static string DefaultToTag(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? fromTag;
        string? branch;
        try
        {
            fromTag = request.From?.Tag;
            branch = request.TopVia?.Branch;
        }
        catch (SipParseException)
        {
            fromTag = request.Headers.GetFirst(SipHeaderNames.From);
            branch = request.Headers.GetFirst(SipHeaderNames.Via);
        }

        return DefaultToTag(string.Join('\n', request.CallId, fromTag, branch));
    }

    /// <summary>A tag derived from <paramref name="seed"/> (the same seed, the same tag).</summary>
    public static string DefaultToTag(string seed) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)).AsSpan(0, 8));

    /// <summary>
    /// Gives <paramref name="response"/> a To tag when RFC 3261 section 8.2.6.2 wants one: a response other than
    /// 100 to a request without a To tag. A tag already in the response is kept; otherwise <paramref name="tag"/>
    /// (or <see cref="DefaultToTag(SipRequest)"/>) is added.
    /// </summary>
    public static void EnsureToTag(SipRequest request, SipResponse response, string? tag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode <= 100)
        {
            return;
        }

        try
        {
            if (request.To is not { Tag: null } || response.To is not { Tag: null } to)
            {
                return;
            }

            to.Parameters.Set("tag", tag ?? DefaultToTag(request));
            response.Headers.Set(SipHeaderNames.To, to.ToString());
        }
        catch (SipParseException)
        {
            // A To the parser cannot read is copied as it came; there is nothing to tag.
        }
    }

    /// <summary>A random Call-ID.</summary>
    public static string NewCallId() => RandomHex(16);

    /// <summary>
    /// A response to <paramref name="request"/> (section 8.2.6.2): the Vias, From, To, Call-ID and CSeq
    /// copied, and a To tag added when <paramref name="toTag"/> is given and To has none.
    /// </summary>
    public static SipResponse CreateResponse(SipRequest request, int statusCode, string reasonPhrase, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        foreach (string via in request.Headers.GetAll(SipHeaderNames.Via))
        {
            response.Headers.Add(SipHeaderNames.Via, via);
        }

        CopyFirst(request, response, SipHeaderNames.From);
        string? to = request.Headers.GetFirst(SipHeaderNames.To);
        if (to is not null)
        {
            NameAddress? address = request.To;
            if (toTag is not null && address is not null && address.Tag is null)
            {
                address.Parameters.Set("tag", toTag);
                to = address.ToString();
            }

            response.Headers.Add(SipHeaderNames.To, to);
        }

        CopyFirst(request, response, SipHeaderNames.CallId);
        CopyFirst(request, response, SipHeaderNames.CSeq);
        return response;
    }

    /// <summary>
    /// The CANCEL for a pending INVITE (section 9.1): the same Request-URI, Call-ID, From, To, CSeq
    /// number and top Via (so the same branch), the same Route set, and CSeq method CANCEL.
    /// </summary>
    public static SipRequest CreateCancel(SipRequest invite)
    {
        if (invite.Method != SipMethods.Invite)
        {
            throw new ArgumentException("Only an INVITE can be cancelled.", nameof(invite));
        }

        return CreateHopByHop(invite, SipMethods.Cancel, invite.Headers.GetFirst(SipHeaderNames.To));
    }

    /// <summary>
    /// The ACK a client INVITE transaction sends for a 300-699 response (section 17.1.1.3): the
    /// original top Via (same branch), To from the response, CSeq method ACK.
    /// </summary>
    public static SipRequest CreateAckForFailure(SipRequest invite, SipResponse response) =>
        CreateHopByHop(invite, SipMethods.Ack, response.Headers.GetFirst(SipHeaderNames.To));

    private static SipRequest CreateHopByHop(SipRequest invite, string method, string? to)
    {
        var request = new SipRequest(method, invite.RequestUri);
        string? topVia = invite.Headers.GetFirst(SipHeaderNames.Via);
        if (topVia is not null)
        {
            request.Headers.Add(SipHeaderNames.Via, topVia);
        }

        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        foreach (string route in invite.Headers.GetAll(SipHeaderNames.Route))
        {
            request.Headers.Add(SipHeaderNames.Route, route);
        }

        CopyFirst(invite, request, SipHeaderNames.From);
        if (to is not null)
        {
            request.Headers.Add(SipHeaderNames.To, to);
        }

        CopyFirst(invite, request, SipHeaderNames.CallId);
        CSeqHeader cseq = invite.CSeq ?? throw new ArgumentException("The INVITE has no CSeq.", nameof(invite));
        request.Headers.Add(SipHeaderNames.CSeq, new CSeqHeader(cseq.Number, method).ToString());
        return request;
    }

    private static void CopyFirst(SipMessage source, SipMessage target, string name)
    {
        if (source.Headers.GetFirst(name) is string value)
        {
            target.Headers.Add(name, value);
        }
    }

    private static string RandomHex(int bytes) =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
