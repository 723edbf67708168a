using CallCenter.EdgeSip.Media;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// A consult at the edge: the consulted party's leg (a colleague's phone or a partner expert's URI), rung while the
/// caller waits on hold and, once answered, bridged to the consulting agent.
/// </summary>
internal sealed partial class ConsultControl(EdgeServices edge, ICallGrain grain, string callId, LegDialer dialer, CallInbox inbox)
{
    private readonly ILogger _logger = edge.Logger;
    private MediaBridge? _bridge;

    /// <summary>The consulted party's leg while a consult runs.</summary>
    public AgentLeg? Leg { get; private set; }

    /// <summary>True while the consulted party is bridged to the consulting agent.</summary>
    public bool IsBridged => _bridge is not null;

    /// <summary>Rings the consulted party; the grains cancel the consult when it cannot be reached.</summary>
    public async Task StartAsync(Consultation consult, string callerNumber, string? consultingAgentId)
    {
        var leg = consult.Kind == TransferKind.Agent
            ? await dialer.DialAgentAsync(consult.Target, epoch: null, acceptOnAnswer: false)
            : dialer.DialExternal(consult.Target);
        if (leg is null)
        {
            LogConsultUnreachable(callId, consult.Target);
            await grain.CancelConsultAsync(null, "consulted party unreachable");
            return;
        }

        Leg = leg;
        _ = leg.RingAsync(callerNumber, "Consult " + (consultingAgentId ?? "agent"), inbox.Post);
    }

    /// <summary>The consulted party answered: bridged to the consulting agent's leg when that one is up.</summary>
    public async Task OnAnsweredAsync(AgentLeg leg, AgentLeg? consulting)
    {
        if (consulting is { Answered: true, Ended: false })
        {
            _bridge?.Dispose();
            _bridge = new MediaBridge(consulting.Media, leg.Media);
        }

        await grain.ConsultAnsweredAsync();
    }

    /// <summary>The consulted party did not answer or hung up: its leg ends and the grains cancel the consult.</summary>
    public async Task OnLostAsync(string reason)
    {
        await DropAsync();
        await grain.CancelConsultAsync(null, reason);
    }

    /// <summary>The consulted leg takes the caller: it is unbridged from the agent and handed over, no longer the consult's.</summary>
    public AgentLeg? HandOver()
    {
        _bridge?.Dispose();
        _bridge = null;
        var leg = Leg;
        Leg = null;
        return leg;
    }

    /// <summary>Ends the consulted party's leg (BYE, or CANCEL while it rings) and its bridge to the agent.</summary>
    public async Task DropAsync()
    {
        _bridge?.Dispose();
        _bridge = null;
        if (Leg is not { } leg)
        {
            return;
        }

        Leg = null;
        dialer.Forget(leg);
        await leg.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the consulted party {Target} cannot be reached")]
    private partial void LogConsultUnreachable(string callId, string target);
}
