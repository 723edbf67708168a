using CallCenter.Domain.History;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>What a call's stored state looks like to the outside: its snapshot, its notices, and its history record.</summary>
public static class CallViews
{
    public static CallSnapshot Snapshot(string callId, CallGrainState s) => new()
    {
        CallId = callId,
        State = s.State,
        Outcome = s.Outcome,
        OutcomeDetail = s.OutcomeDetail,
        Arrival = s.Arrival,
        CustomerKey = s.CustomerKey,
        QueueId = s.QueueId,
        AgentId = s.AgentId,
        OfferEpoch = s.OfferEpoch,
        Priority = s.Ticket?.BasePriority ?? 0,
        FirstEnqueuedAt = s.Ticket?.EnqueuedAt,
        ConnectedAt = s.ConnectedAt,
        EndedAt = s.EndedAt,
        AttachedData = new Dictionary<string, string>(s.AttachedData),
        Timeline = s.Events.Recent.ToList(),
        Notes = s.Notes.ToList(),
        CallbackOfCallId = s.CallbackOfCallId,
        SurveyRating = s.SurveyRating,
        RecordingPaused = s.RecordingPaused,
        Consult = s.Consult,
        Dispositions = new Dictionary<string, string>(s.Dispositions),
        OfferedAgentId = s.State == CallState.Offered ? s.Events.Recent.LastOrDefault(e => e.Kind == CallEventKind.Offered)?.AgentId : null,
        Sequence = s.Events.Count,
    };

    /// <summary>The notice of a change that took the call's sequence from <paramref name="before"/> to where it is now.</summary>
    public static CallNotice Notice(string callId, CallGrainState s, long before) => new()
    {
        Sequence = s.Events.Count,
        Changes = s.Events.Since(before),
        Call = Snapshot(callId, s) with { Timeline = [] },
    };

    public static CallRecord Record(string callId, CallGrainState s, DateTimeOffset now) => new()
    {
        CallId = callId,
        Revision = s.HistoryRevision,
        TenantId = s.Arrival?.TenantId ?? TenantDefinition.DefaultTenantId,
        SiteId = s.Arrival?.SiteId,
        QueueId = s.QueueId,
        AgentId = s.AgentId ?? s.Events.LastHandler,
        Channel = s.Arrival?.Channel ?? Channel.Voice,
        Outcome = s.Outcome,
        OutcomeDetail = s.OutcomeDetail,
        ArrivedAt = s.Events.FirstAt ?? s.EndedAt ?? now,
        FirstEnqueuedAt = s.Ticket?.EnqueuedAt,
        ConnectedAt = s.ConnectedAt ?? s.Events.FirstConnectedAt,
        EndedAt = s.EndedAt ?? now,
        WaitSeconds = s.WaitSeconds,
        TalkSeconds = s.TalkSecondsAtEnd,
        WrapUpSeconds = s.WrapUpByAgent.Values.Sum(),
        SurveyRating = s.SurveyRating,
        CallbackOfCallId = s.CallbackOfCallId,
        Dispositions = new Dictionary<string, string>(s.Dispositions),
        Timeline = s.Events.Recent.ToList(),
        TimelineDropped = s.Events.Dropped,
        HandledBy = s.Events.AcceptedBy.Union(s.Events.ConnectedTo).ToList(),
    };
}
