using CallCenter.Model;

namespace CallCenter.EdgeSip.Calls;

/// <summary>What the edge does on a change the grains made to its call.</summary>
internal enum CallChangeStep
{
    None,

    /// <summary>An offer (a new one, or again after the last phone failed): ring the offered agent's phone; answering accepts.</summary>
    RingOfferedAgent,

    /// <summary>The offer was withdrawn (expired or rejected elsewhere): stop ringing.</summary>
    StopRinging,

    /// <summary>Transferred from the agent's desktop to a queue: the agent leaves, the caller waits again.</summary>
    ReturnToQueue,

    /// <summary>Accepted from the agent's desktop: ring the agent's phone to carry the voice.</summary>
    RingAcceptingAgent,

    /// <summary>A consult started: ring the consulted party.</summary>
    StartConsult,

    /// <summary>The consult was completed to the consulted agent: that leg takes the caller.</summary>
    HandOverToConsulted,

    /// <summary>The consult was cancelled: the caller talks to the agent again.</summary>
    ResumeAfterConsult,

    /// <summary>Talking: follow the call's hold and recording pause.</summary>
    FollowHoldAndRecording,

    /// <summary>The call is over.</summary>
    End,
}

/// <summary>What the edge has of a leg towards a phone, as far as its decisions go.</summary>
internal readonly record struct LegState(string? AgentId, long? Epoch, bool Answered, bool Ended, bool AcceptOnAnswer)
{
    public static LegState? Of(AgentLeg? leg) => leg is null ? null : new LegState(leg.AgentId, leg.Epoch, leg.Answered, leg.Ended, leg.AcceptOnAnswer);
}

/// <summary>The edge's legs of a call: the agent's (or an external party's), whether the caller is bridged to it, and a consult's.</summary>
internal readonly record struct EdgeLegs(LegState? Agent, bool Bridged, LegState? Consult, bool ConsultBridged);

/// <summary>The edge's reaction to a change of its call, from the call's state and the legs it has.</summary>
internal static class CallChangePlan
{
    public static CallChangeStep Decide(CallSnapshot call, EdgeLegs legs) => call.State switch
    {
        CallState.Offered when call.OfferedAgentId is not null && call.OfferEpoch is { } epoch
            && (legs.Agent is not { } agent || agent.Ended || agent.Epoch != epoch) => CallChangeStep.RingOfferedAgent,
        CallState.Queued when legs.Agent is { Answered: false, AcceptOnAnswer: true } => CallChangeStep.StopRinging,
        CallState.Queued when legs.Bridged || legs.Agent is { Answered: true } => CallChangeStep.ReturnToQueue,
        CallState.Connecting when call.AgentId is { } agentId
            && (legs.Agent is not { } agent || agent.Ended || agent.AgentId != agentId) => CallChangeStep.RingAcceptingAgent,
        CallState.Consulting when call.Consult is not null && legs.Consult is null => CallChangeStep.StartConsult,
        CallState.Connected or CallState.Held when legs.Consult is { AgentId: { } consulted } && call.AgentId == consulted => CallChangeStep.HandOverToConsulted,
        CallState.Connected or CallState.Held when legs.Consult is not null || legs.ConsultBridged => CallChangeStep.ResumeAfterConsult,
        CallState.Connected or CallState.Held when legs.Bridged => CallChangeStep.FollowHoldAndRecording,
        CallState.Ended => CallChangeStep.End,
        _ => CallChangeStep.None,
    };

    /// <summary>True when the call has left the queue step: taken by an agent, or over.</summary>
    public static bool LeftQueue(CallState state) =>
        state is CallState.Connecting or CallState.Connected or CallState.Held or CallState.Consulting or CallState.Ended;
}
