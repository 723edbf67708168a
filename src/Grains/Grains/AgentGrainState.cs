using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>What an agent grain stores.</summary>
[GenerateSerializer, Alias("callcenter.agent-grain-state")]
public sealed class AgentGrainState
{
    [Id(0)] public AgentConfiguration? Configuration { get; set; }
    [Id(1)] public AgentPresence Presence { get; set; } = new();
    [Id(2)] public AgentCounters Counters { get; set; } = new();
    [Id(3)] public AgentCallRef? Offer { get; set; }
    [Id(4)] public List<AgentCallRef> Calls { get; set; } = [];
    [Id(5)] public long PresenceVersion { get; set; }
    /// <summary>Wrap-up seconds of the queue each held call came from.</summary>
    [Id(6)] public Dictionary<string, double> WrapUpByCall { get; set; } = [];
    /// <summary>NotReady asked for while busy: applied when the call and wrap-up end.</summary>
    [Id(7)] public string? PendingNotReadyReason { get; set; }
    /// <summary>Calls ended but still in wrap-up: reported to their queues (talk plus wrap-up) when wrap-up ends.</summary>
    [Id(8)] public List<PendingHandledCall> InWrapUp { get; set; } = [];
    /// <summary>The contact of the agent's phone as the SIP edge registered it, and until when.</summary>
    [Id(9)] public string? PhoneContact { get; set; }
    [Id(10)] public DateTimeOffset PhoneRegisteredUntil { get; set; }
    /// <summary>The desktop session whose event stream the agent uses.</summary>
    [Id(11)] public string? DesktopSessionId { get; set; }
    /// <summary>Set while the desktop's stream is down: when its grace period ends.</summary>
    [Id(12)] public DateTimeOffset? DesktopGraceUntil { get; set; }
    /// <summary>The number of the desktop's latest event stream.</summary>
    [Id(13)] public long DesktopConnection { get; set; }
    /// <summary>The offer (call and epoch) last charged as not answered: an accept of it that arrives late takes the charge back.</summary>
    [Id(14)] public string? LastMissedCallId { get; set; }
    [Id(15)] public long LastMissedEpoch { get; set; }
}

[GenerateSerializer, Alias("callcenter.pending-handled-call")]
public sealed class PendingHandledCall
{
    [Id(0)] public required string QueueId { get; set; }
    [Id(1)] public required string CallId { get; set; }
    [Id(2)] public required string SiteId { get; set; }
    [Id(3)] public double TalkSeconds { get; set; }
}
