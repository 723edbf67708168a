using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Calls;

/// <summary>What a REFER's target may name inside the contact center, and which addresses are the edge itself.</summary>
/// <param name="IsQueue">A configured queue id.</param>
/// <param name="IsAgent">A configured agent id.</param>
/// <param name="EntryPointQueue">The queue of a dialled number that is one of our entry points; null when it is none.</param>
/// <param name="IsOwnAddress">True when a host (and port) is this edge: a REFER there must never be dialled.</param>
public sealed record ReferDirectory(Func<string, bool> IsQueue, Func<string, bool> IsAgent, Func<string, string?> EntryPointQueue, Func<AddressUri, bool> IsOwnAddress);

/// <summary>
/// Reads a REFER's Refer-To as a transfer: <c>sip:queue-&lt;id&gt;@…</c> or a configured queue id goes to that queue,
/// <c>sip:agent-&lt;id&gt;@…</c> or a known agent id to that agent, one of our entry points' numbers to that entry point's
/// queue, anything else leaves the contact center (a partner expert's URI or a number) unless it names the edge itself:
/// dialling that would only loop back (482), so it is refused.
/// </summary>
public static class TransferTarget
{
    public const string QueuePrefix = "queue-";
    public const string AgentPrefix = "agent-";

    public static TransferRequest? FromReferTo(string referTo, Func<string, bool> isQueue, Func<string, bool> isAgent, string requestedBy) =>
        FromReferTo(referTo, new ReferDirectory(isQueue, isAgent, _ => null, _ => false), requestedBy, out _);

    /// <summary>The transfer <paramref name="referTo"/> asks for; null with <paramref name="refusal"/> when it is unreadable or loops to the edge.</summary>
    public static TransferRequest? FromReferTo(string referTo, ReferDirectory directory, string requestedBy, out string? refusal)
    {
        NameAddress address;
        refusal = null;
        try
        {
            address = NameAddress.Parse(referTo, "Refer-To");
        }
        catch (Exception exception) when (exception is SipParseException or FormatException or ArgumentException)
        {
            refusal = "unreadable Refer-To";
            return null;
        }

        var user = address.Uri is SipUri sip ? sip.User : null;
        if (user is not null && user.StartsWith(QueuePrefix, StringComparison.Ordinal) && directory.IsQueue(user[QueuePrefix.Length..]))
        {
            return new TransferRequest { Kind = TransferKind.Queue, Target = user[QueuePrefix.Length..], RequestedByAgentId = requestedBy };
        }

        if (user is not null && user.StartsWith(AgentPrefix, StringComparison.Ordinal) && directory.IsAgent(user[AgentPrefix.Length..]))
        {
            return new TransferRequest { Kind = TransferKind.Agent, Target = user[AgentPrefix.Length..], RequestedByAgentId = requestedBy };
        }

        if (user is not null && directory.IsQueue(user))
        {
            return new TransferRequest { Kind = TransferKind.Queue, Target = user, RequestedByAgentId = requestedBy };
        }

        if (user is not null && directory.IsAgent(user))
        {
            return new TransferRequest { Kind = TransferKind.Agent, Target = user, RequestedByAgentId = requestedBy };
        }

        if (user is not null && directory.EntryPointQueue(user) is { } queueId)
        {
            return new TransferRequest { Kind = TransferKind.Queue, Target = queueId, RequestedByAgentId = requestedBy, Note = "entry point " + user };
        }

        if (directory.IsOwnAddress(address.Uri))
        {
            refusal = "Refer-To names this edge but no queue, agent or entry point";
            return null;
        }

        address.Parameters.Remove("tag");
        return new TransferRequest { Kind = TransferKind.External, Target = address.Uri.ToString(), RequestedByAgentId = requestedBy };
    }
}
