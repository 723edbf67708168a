using CallCenter.EdgeSip.Signalling;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// Transfers at the edge: the agent phone's REFER (a blind transfer, decided by the grains), and the caller bridged to a
/// party outside the contact center once the grains transferred the call out.
/// </summary>
internal sealed partial class ExternalTransfer(
    EdgeServices edge,
    ICallGrain grain,
    string callId,
    string callerNumber,
    CallerLeg caller,
    CallerPrompts prompts,
    CallInbox inbox,
    AgentLegControl agent,
    CallBridge bridge,
    LegDialer dialer)
{
    private readonly ILogger _logger = edge.Logger;

    /// <summary>The agent's phone asked for a blind transfer: the grains decide; the phone hears the outcome (NOTIFY).</summary>
    public async Task OnReferAsync(AgentReferred referred)
    {
        var subscription = referred.Leg.Dialog is { } dialog
            ? new ReferSubscription(dialog, notify => edge.Signalling.SendAsync(notify, referred.Leg.Destination, referred.Leg.Protocol))
            : null;

        // RFC 3515 2.4.4: the phone hears at once that the REFER is being acted on; the grains decide meanwhile.
        _ = subscription?.NotifyTryingAsync();
        var agentId = referred.Leg.AgentId ?? "";
        var directory = new ReferDirectory(edge.IsQueue, edge.IsAgent, edge.EntryPointQueue, IsThisEdge);
        var transfer = TransferTarget.FromReferTo(referred.Target, directory, agentId, out var refusal);
        var result = transfer is null
            ? new CommandResult(CommandStatus.InvalidArgument, refusal)
            : await grain.TransferAsync(transfer);
        if (subscription is not null)
        {
            await subscription.NotifyOutcomeAsync(result.Succeeded ? "SIP/2.0 200 OK" : "SIP/2.0 603 Declined");
        }

        LogTransfer(callId, referred.Target, result.Status);

        // The grain's change (Queued, or Ended as TransferredOut) moves the caller on.
    }

    /// <summary>
    /// Bridges the caller to a party outside the contact center until either hangs up: dials <paramref name="target"/>,
    /// or takes over <paramref name="connected"/>, the leg of a consult already talking. True: the call is over.
    /// </summary>
    public async Task<bool> BridgeAsync(string target, AgentLeg? connected = null)
    {
        AgentLeg leg;
        if (connected is not null)
        {
            leg = connected;
            agent.Adopt(leg);
            bridge.Connect(leg);
        }
        else
        {
            if (dialer.DialExternal(target) is not { } dialled)
            {
                await prompts.PlayAsync(["all-busy"]);
                await caller.ByeAsync();
                return true;
            }

            leg = dialled;
            agent.Adopt(leg);
            caller.PlayMusicOnHold();
            _ = leg.RingAsync(callerNumber, "Transfer", inbox.Post);
        }

        while (true)
        {
            switch (await inbox.NextAsync())
            {
                case AgentAnswered { Leg: var answered } when answered == leg:
                    bridge.Connect(leg);
                    break;
                case AgentFailed { Leg: var failed } when failed == leg:
                    agent.Release();
                    await prompts.PlayAsync(["all-busy"]);
                    await caller.ByeAsync();
                    return true;
                case AgentHungUp { Leg: var hungUp } when hungUp == leg:
                    await agent.DropAsync();
                    await caller.ByeAsync();
                    return true;
            }
        }
    }

    /// <summary>True when <paramref name="uri"/> reaches this edge (its advertised host or realm, on its port).</summary>
    private bool IsThisEdge(CallCenter.Sip.Uris.AddressUri uri)
    {
        if (uri is not CallCenter.Sip.Uris.SipUri sip)
        {
            return false;
        }

        var host = sip.Host.Trim('[', ']');
        var ours = string.Equals(host, edge.Signalling.AdvertisedHost, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, edge.Options.Realm, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, edge.Options.ListenAddress, StringComparison.OrdinalIgnoreCase);
        return ours && (sip.Port ?? 5060) == edge.Signalling.Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: REFER to {Target} gave {Status}")]
    private partial void LogTransfer(string callId, string target, CommandStatus status);
}
