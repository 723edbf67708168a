using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Grains;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// Makes an edge call's outbound legs (to an agent's registered phone, or to a URI outside the contact center) and
/// keeps the edge's table of legs by SIP Call-ID, through which the legs' in-dialog requests reach their call.
/// </summary>
internal sealed class LegDialer(EdgeServices edge, EdgeCall owner)
{
    /// <summary>A leg to the agent's registered phone (not yet ringing); null when the agent has no reachable phone.</summary>
    public async Task<AgentLeg?> DialAgentAsync(string agentId, long? epoch, bool acceptOnAnswer)
    {
        var status = await edge.Grains.GetGrain<IAgentGrain>(agentId).GetStatusAsync();
        if (status.PhoneContact is not { } contact || !AddressUri.TryParse(contact, out var target)
            || edge.Signalling.ResolveTarget(target, out var protocol) is not { } destination)
        {
            return null;
        }

        return Register(new AgentLeg(edge.Signalling, RtpEndpoint.Open(edge.Ports, edge.MediaClock), agentId, epoch, acceptOnAnswer, target, destination, protocol));
    }

    /// <summary>A leg towards a URI outside the contact center (not yet ringing); null when the URI cannot be reached.</summary>
    public AgentLeg? DialExternal(string target)
    {
        if (!AddressUri.TryParse(target, out var uri) || edge.Signalling.ResolveTarget(uri, out var protocol) is not { } destination)
        {
            return null;
        }

        return Register(new AgentLeg(edge.Signalling, RtpEndpoint.Open(edge.Ports, edge.MediaClock), null, null, false, uri, destination, protocol));
    }

    /// <summary>The leg's requests no longer reach this call.</summary>
    public void Forget(AgentLeg leg) => edge.LegsBySipCallId.TryRemove(leg.CallId, out _);

    private AgentLeg Register(AgentLeg leg)
    {
        edge.LegsBySipCallId[leg.CallId] = owner;
        return leg;
    }
}
