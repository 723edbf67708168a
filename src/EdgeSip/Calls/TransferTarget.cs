using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// Reads a REFER's Refer-To as a transfer: <c>sip:queue-&lt;id&gt;@…</c> or a configured queue id goes to that queue,
/// <c>sip:agent-&lt;id&gt;@…</c> or a known agent id to that agent, anything else leaves the contact center (a partner
/// expert's URI or a number).
/// </summary>
public static class TransferTarget
{
    public const string QueuePrefix = "queue-";
    public const string AgentPrefix = "agent-";

    public static TransferRequest? FromReferTo(string referTo, Func<string, bool> isQueue, Func<string, bool> isAgent, string requestedBy)
    {
        NameAddress address;
        try
        {
            address = NameAddress.Parse(referTo, "Refer-To");
        }
        catch (Exception exception) when (exception is SipParseException or FormatException or ArgumentException)
        {
            return null;
        }

        var user = address.Uri is SipUri sip ? sip.User : null;
        if (user is not null && user.StartsWith(QueuePrefix, StringComparison.Ordinal) && isQueue(user[QueuePrefix.Length..]))
        {
            return new TransferRequest { Kind = TransferKind.Queue, Target = user[QueuePrefix.Length..], RequestedByAgentId = requestedBy };
        }

        if (user is not null && user.StartsWith(AgentPrefix, StringComparison.Ordinal) && isAgent(user[AgentPrefix.Length..]))
        {
            return new TransferRequest { Kind = TransferKind.Agent, Target = user[AgentPrefix.Length..], RequestedByAgentId = requestedBy };
        }

        if (user is not null && isQueue(user))
        {
            return new TransferRequest { Kind = TransferKind.Queue, Target = user, RequestedByAgentId = requestedBy };
        }

        if (user is not null && isAgent(user))
        {
            return new TransferRequest { Kind = TransferKind.Agent, Target = user, RequestedByAgentId = requestedBy };
        }

        address.Parameters.Remove("tag");
        return new TransferRequest { Kind = TransferKind.External, Target = address.Uri.ToString(), RequestedByAgentId = requestedBy };
    }
}
