using System.Diagnostics.CodeAnalysis;
using CallCenter.Sip;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>One contact a REGISTER asks for, and for how long (0: remove it).</summary>
internal sealed record RequestedContact(AddressUri Uri, uint Seconds);

/// <summary>
/// What a REGISTER asks of the registrar (RFC 3261 section 10.3 steps 6 and 7): the To user, the Call-ID and CSeq
/// that order the updates, the contacts with their intervals (capped at the maximum; a URI given twice counts once,
/// the later wins), a wildcard removal, and whether a non-zero interval is below the minimum.
/// </summary>
internal sealed record RegisterRequest(
    string? ToUser,
    string CallId,
    uint CSeq,
    bool Wildcard,
    IReadOnlyList<RequestedContact> Contacts,
    bool TooBrief)
{
    public const string ExpiresParameter = "expires";

    /// <summary>Reads a REGISTER; false with the reason for a 400 when it is malformed.</summary>
    public static bool TryRead(
        SipRequest register,
        uint defaultSeconds,
        uint minSeconds,
        uint maxSeconds,
        [NotNullWhen(true)] out RegisterRequest? parsed,
        [NotNullWhen(false)] out string? problem)
    {
        parsed = null;
        try
        {
            NameAddress? to = register.To;
            string? callId = register.CallId;
            CSeqHeader? cseq = register.CSeq;
            if (to is null || string.IsNullOrEmpty(callId) || cseq is null)
            {
                problem = "Missing To, Call-ID or CSeq";
                return false;
            }

            uint? headerExpires = null;
            if (register.Headers.Contains(SipHeaderNames.Expires))
            {
                headerExpires = register.Expires;
                if (headerExpires is null)
                {
                    problem = "Malformed Expires";
                    return false;
                }
            }

            IReadOnlyList<ContactHeader> contacts = register.Contacts;
            bool wildcard = contacts.Any(contact => contact.IsWildcard);
            if (wildcard && (contacts.Count != 1 || headerExpires != 0))
            {
                problem = "Contact '*' needs Expires: 0 and no other Contact";
                return false;
            }

            var requested = new List<RequestedContact>(contacts.Count);
            bool tooBrief = false;
            foreach (ContactHeader contact in contacts)
            {
                if (contact.Address is not NameAddress address)
                {
                    continue;
                }

                uint seconds;
                if (address.Parameters.Contains(ExpiresParameter))
                {
                    if (contact.Expires is not uint contactSeconds)
                    {
                        problem = "Malformed Contact expires parameter";
                        return false;
                    }

                    seconds = contactSeconds;
                }
                else
                {
                    seconds = headerExpires ?? defaultSeconds;
                }

                if (seconds != 0 && seconds < minSeconds)
                {
                    tooBrief = true;
                }

                // The same URI twice: the later one wins.
                requested.RemoveAll(existing => existing.Uri.Equals(address.Uri));
                requested.Add(new RequestedContact(address.Uri, Math.Min(seconds, maxSeconds)));
            }

            string? toUser = to.Uri is SipUri toUri ? toUri.User : null;
            parsed = new RegisterRequest(toUser, callId, cseq.Number, wildcard, requested, tooBrief);
            problem = null;
            return true;
        }
        catch (SipParseException)
        {
            problem = "Malformed To, CSeq or Contact";
            return false;
        }
    }
}
