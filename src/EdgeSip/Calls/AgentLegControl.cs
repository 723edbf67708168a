using System.Globalization;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The agent's side of an edge call: rings the phone an offer (or an accept from the desktop) calls for, accepts the
/// offer when the phone answers, and gives the offer back when the phone fails. Its leg is the one the caller talks
/// to; after an external transfer, the external party's.
/// </summary>
internal sealed partial class AgentLegControl(
    EdgeServices edge,
    ICallGrain grain,
    string callId,
    CallTrace trace,
    CallBridge bridge,
    ConsultControl consult,
    LegDialer dialer,
    CallInbox inbox)
{
    private readonly ILogger _logger = edge.Logger;

    /// <summary>The leg the caller talks to (or will, once it answers).</summary>
    public AgentLeg? Current { get; private set; }

    /// <summary>Rings the agent's phone for an offer (answering accepts it) or for an accept already made on the desktop.</summary>
    public async Task RingAsync(string agentId, long? epoch, bool acceptOnAnswer, string callerNumber, string dialledNumber)
    {
        trace.StartOffer(epoch);
        if (await dialer.DialAgentAsync(agentId, epoch, acceptOnAnswer) is not { } leg)
        {
            LogNoPhone(agentId, callId);
            if (acceptOnAnswer && epoch is { } offered)
            {
                // No phone to ring is not the agent's doing: the call goes to another agent, the agent stays Available.
                await edge.Retry.RunAsync("offer failed", callId, () => grain.OfferFailedAsync(agentId, offered, OfferOutcome.DeviceUnreachable));
            }

            return;
        }

        Current = leg;
        _ = leg.RingAsync(callerNumber, "Call " + dialledNumber, inbox.Post);
    }

    /// <summary>The phone rings for the offer: the grains learn it was reachable (so an unanswered offer is the agent's). A lost notice only spares the agent.</summary>
    public async Task OnRingingAsync(AgentLeg leg)
    {
        if (leg.AcceptOnAnswer && leg.AgentId is { } agentId && leg.Epoch is { } epoch)
        {
            try
            {
                await grain.OfferRingingAsync(agentId, epoch);
            }
            catch (Exception exception) when (GrainCallFaults.IsTransient(exception))
            {
                LogRingingNotDelivered(exception, callId, agentId);
            }
        }
    }

    /// <summary>Makes <paramref name="leg"/> (ringing or answered) the one the caller talks to, in place of none.</summary>
    public void Adopt(AgentLeg leg) => Current = leg;

    /// <summary>The agent's phone answered: the offer is accepted (when answering is the accept) and the caller bridged to it.</summary>
    public async Task OnAnsweredAsync(AgentLeg leg, CallSnapshot? latest)
    {
        trace.EndOffer("answered");
        using var bridging = trace.StartStep(EdgeTelemetry.BridgeSpanName);
        if (leg.AcceptOnAnswer && leg.AgentId is { } agentId && leg.Epoch is { } epoch)
        {
            var accepted = await edge.Retry.RunAsync("accept", callId, () => grain.AcceptAsync(agentId, epoch));
            if (!accepted.Succeeded)
            {
                // The offer had expired or gone to someone else: this phone is not needed.
                LogAcceptRefused(callId, agentId, accepted.Message);
                await CancelAsync();
                return;
            }
        }

        bridge.Connect(leg);
        await edge.Retry.RunAsync("media connected", callId, grain.MediaConnectedAsync);
        if (latest?.RecordingPaused == true)
        {
            bridge.ApplyRecordingPause(true);
        }
    }

    /// <summary>The agent's phone did not answer: the offer goes back, or (accepted on the desktop) the caller goes back to the queue.</summary>
    public async Task OnFailedAsync(AgentLeg leg, int status, CallSnapshot? latest)
    {
        trace.EndOffer("phone failed: " + status.ToString(CultureInfo.InvariantCulture));
        dialer.Forget(leg);
        Current = null;
        await leg.Media.DisposeAsync();
        if (leg.AgentId is not { } agentId)
        {
            return;
        }

        if (leg.AcceptOnAnswer && leg.Epoch is { } epoch)
        {
            // The offer goes back to the queue; only a phone that answered busy or decline, or rang unanswered, charges the agent.
            var outcome = OfferOutcomes.OfPhoneResponse(status, leg.Rang);
            LogAgentDidNotAnswer(agentId, callId, status, outcome);
            await edge.Retry.RunAsync("offer failed", callId, () => grain.OfferFailedAsync(agentId, epoch, outcome));
        }
        else if (latest is { State: CallState.Connecting } && latest.QueueId is { } queueId)
        {
            // Accepted on the desktop but the phone failed: the caller goes back to the queue.
            await grain.TransferAsync(new TransferRequest { Kind = TransferKind.Queue, Target = queueId, Note = $"agent phone failed ({status})", RequestedByAgentId = agentId });
        }
    }

    /// <summary>The consult was completed to a colleague: the consulting agent leaves, the consulted agent talks to the caller.</summary>
    public async Task HandOverToConsultedAsync()
    {
        var leaving = Current;
        Current = consult.HandOver();
        if (leaving is not null)
        {
            dialer.Forget(leaving);
            await leaving.DisposeAsync();
        }

        if (Current is { Answered: true } taking)
        {
            bridge.Connect(taking);
        }

        // Still ringing: its AgentAnswered bridges it.
    }

    /// <summary>The agent leaves: its leg ends (and any consult), with the bridge (the recording stops with them).</summary>
    public async Task DropAsync()
    {
        await consult.DropAsync();
        await bridge.StopAsync();
        await CancelAsync();
    }

    /// <summary>Forgets the leg without ending it (it failed on its own).</summary>
    public void Release() => Current = null;

    /// <summary>Ends the leg: CANCEL while it rings, BYE once answered.</summary>
    public async Task CancelAsync()
    {
        if (Current is not { } leg)
        {
            return;
        }

        Current = null;
        dialer.Forget(leg);
        edge.Metrics.MediaClosed(leg.Media, edge.Options.SiteId, "agent");
        await leg.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: agent {AgentId}'s phone rings, but the grains could not be told")]
    private partial void LogRingingNotDelivered(Exception exception, string callId, string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} has no reachable phone for call {CallId}")]
    private partial void LogNoPhone(string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: the grains refused agent {AgentId}'s answer: {Message}")]
    private partial void LogAcceptRefused(string callId, string agentId, string? message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s phone did not take call {CallId}: {Status} ({Outcome})")]
    private partial void LogAgentDidNotAnswer(string agentId, string callId, int status, OfferOutcome outcome);
}
