using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>What a call grain stores.</summary>
[GenerateSerializer, Alias("callcenter.call-grain-state")]
public sealed class CallGrainState
{
    [Id(0)] public CallArrival? Arrival { get; set; }
    [Id(1)] public CallState State { get; set; } = CallState.New;
    [Id(2)] public CallOutcome Outcome { get; set; }
    [Id(3)] public string? OutcomeDetail { get; set; }
    [Id(4)] public string? CustomerKey { get; set; }
    [Id(5)] public QueueTicket? Ticket { get; set; }
    [Id(6)] public string? QueueId { get; set; }
    [Id(7)] public string? AgentId { get; set; }
    [Id(8)] public long? OfferEpoch { get; set; }
    [Id(9)] public DateTimeOffset? ConnectedAt { get; set; }
    [Id(10)] public DateTimeOffset? EndedAt { get; set; }
    [Id(11)] public Dictionary<string, string> AttachedData { get; set; } = [];
    /// <summary>Entries stored before the timeline was bounded: moved into <see cref="Events"/> on activation, empty after.</summary>
    [Id(12)] public List<CallEvent> Timeline { get; set; } = [];
    [Id(13)] public List<string> Notes { get; set; } = [];
    [Id(14)] public string? CallbackOfCallId { get; set; }
    /// <summary>Seconds waited in queue before an agent took the call (or before it was abandoned).</summary>
    [Id(15)] public double WaitSeconds { get; set; }
    [Id(16)] public int? SurveyRating { get; set; }
    [Id(17)] public bool RecordingPaused { get; set; }
    [Id(18)] public Consultation? Consult { get; set; }
    [Id(19)] public Dictionary<string, string> Dispositions { get; set; } = [];
    /// <summary>The revision of the call record to write (0 until the call ends); raised by anything arriving after the end.</summary>
    [Id(20)] public int HistoryRevision { get; set; }
    /// <summary>True until the history store has taken <see cref="HistoryRevision"/>; retried from a timer while true.</summary>
    [Id(21)] public bool HistoryPending { get; set; }
    /// <summary>Wrap-up seconds each agent measured after the call (reported one-way by the agent).</summary>
    [Id(22)] public Dictionary<string, double> WrapUpByAgent { get; set; } = [];
    /// <summary>Seconds connected, fixed when the call ended.</summary>
    [Id(23)] public double TalkSecondsAtEnd { get; set; }
    /// <summary>True once an edge renewed its lease on the call: from then on a silent edge ends the call.</summary>
    [Id(24)] public bool EdgeLeased { get; set; }
    /// <summary>The call's timeline, bounded (the latest entries, a count of all, and what dropped entries told).</summary>
    [Id(25)] public CallTimeline Events { get; set; } = new();
}
