namespace CallCenter.Model;

[Alias("callcenter.call-state")]
public enum CallState
{
    New = 0,
    Arrived = 1,
    InIvr = 2,
    Queued = 3,
    Offered = 4,
    Connecting = 5,
    Connected = 6,
    Held = 7,
    Consulting = 8,
    Ended = 9,
}

[Alias("callcenter.call-outcome")]
public enum CallOutcome
{
    None = 0,
    Answered = 1,
    Abandoned = 2,
    Overflowed = 3,
    TransferredOut = 4,
    CallbackScheduled = 5,
    Failed = 6,
}

[Alias("callcenter.call-party")]
public enum CallParty
{
    Caller = 0,
    Agent = 1,
    System = 2,
}

/// <summary>What the edge knows when a call arrives.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.call-arrival")]
public sealed record CallArrival
{
    [Id(0)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(1)] public required string SiteId { get; init; }
    [Id(2)] public Channel Channel { get; init; } = Channel.Voice;
    [Id(3)] public string? CallerNumber { get; init; }
    [Id(4)] public string? DialledNumber { get; init; }
    /// <summary>A CRM id when the caller is known by one; otherwise the caller's number identifies the customer.</summary>
    [Id(5)] public string? CustomerId { get; init; }
    [Id(6)] public IReadOnlyDictionary<string, string> AttachedData { get; init; } = new Dictionary<string, string>();
    /// <summary>True when an edge sets up media and reports the connection; otherwise accept connects at once.</summary>
    [Id(7)] public bool MediaManagedByEdge { get; init; }
}

[Alias("callcenter.call-event-kind")]
public enum CallEventKind
{
    Arrived = 0,
    EnteredIvr = 1,
    DataAttached = 2,
    Queued = 3,
    Offered = 4,
    OfferRejected = 5,
    OfferExpired = 6,
    Accepted = 7,
    Connected = 8,
    Held = 9,
    Resumed = 10,
    Transferred = 11,
    Overflowed = 12,
    CallbackScheduled = 13,
    Ended = 14,
    Requeued = 15,
    ConsultStarted = 16,
    ConsultEnded = 17,
    SurveyAnswered = 18,
    RecordingPaused = 19,
    RecordingResumed = 20,
    /// <summary>The consulted party answered: the agent can talk to them and complete the transfer.</summary>
    ConsultAnswered = 21,
    /// <summary>The agent recorded the call's disposition in wrap-up.</summary>
    WrappedUp = 22,
}

[GenerateSerializer, Immutable, Alias("callcenter.call-event")]
public sealed record CallEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] CallEventKind Kind,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? AgentId = null,
    [property: Id(4)] string? QueueId = null);

[GenerateSerializer, Immutable, Alias("callcenter.call-snapshot")]
public sealed record CallSnapshot
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public CallState State { get; init; }
    [Id(2)] public CallOutcome Outcome { get; init; }
    [Id(3)] public string? OutcomeDetail { get; init; }
    [Id(4)] public CallArrival? Arrival { get; init; }
    [Id(5)] public string? CustomerKey { get; init; }
    [Id(6)] public string? QueueId { get; init; }
    [Id(7)] public string? AgentId { get; init; }
    [Id(8)] public long? OfferEpoch { get; init; }
    [Id(9)] public int Priority { get; init; }
    [Id(10)] public DateTimeOffset? FirstEnqueuedAt { get; init; }
    [Id(11)] public DateTimeOffset? ConnectedAt { get; init; }
    [Id(12)] public DateTimeOffset? EndedAt { get; init; }
    [Id(13)] public IReadOnlyDictionary<string, string> AttachedData { get; init; } = new Dictionary<string, string>();
    /// <summary>The latest timeline entries, oldest first: at most the call's cap (<see cref="Sequence"/> counts every entry ever recorded).</summary>
    [Id(14)] public IReadOnlyList<CallEvent> Timeline { get; init; } = [];
    [Id(15)] public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>For a callback, the call whose place it keeps.</summary>
    [Id(16)] public string? CallbackOfCallId { get; init; }
    /// <summary>The caller's post-call survey rating, 1 to 5.</summary>
    [Id(17)] public int? SurveyRating { get; init; }
    /// <summary>True while recording is paused (e.g. while the caller reads a card number).</summary>
    [Id(18)] public bool RecordingPaused { get; init; }
    /// <summary>While the call is Offered: the agent being offered it (with <see cref="OfferEpoch"/>).</summary>
    [Id(19)] public string? OfferedAgentId { get; init; }
    /// <summary>While the call is Consulting: who the agent is consulting (the caller waits on hold).</summary>
    [Id(20)] public Consultation? Consult { get; init; }
    /// <summary>The disposition code each agent who handled the call chose in wrap-up, by agent id.</summary>
    [Id(21)] public IReadOnlyDictionary<string, string> Dispositions { get; init; } = new Dictionary<string, string>();
    /// <summary>How many timeline entries the call has recorded: its version (it only grows); older entries than the last <see cref="Timeline"/> are dropped.</summary>
    [Id(22)] public long Sequence { get; init; }
}

/// <summary>
/// A change of a call, as its observers get it: the call's sequence after the change, the timeline entries it added,
/// and the call's state (its <see cref="CallSnapshot.Timeline"/> left empty: a notice never carries the timeline).
/// Notices may overtake each other: one whose sequence is not above the last seen is older.
/// </summary>
[GenerateSerializer, Immutable, Alias("callcenter.call-notice")]
public sealed record CallNotice
{
    [Id(0)] public required long Sequence { get; init; }
    /// <summary>The entries this change added (the newest ones, at most the call's timeline cap).</summary>
    [Id(1)] public IReadOnlyList<CallEvent> Changes { get; init; } = [];
    [Id(2)] public required CallSnapshot Call { get; init; }

    /// <summary>A notice for a snapshot read directly (the edge's renewal): the same sequence, no changes listed.</summary>
    public static CallNotice Of(CallSnapshot call) => new() { Sequence = call.Sequence, Call = call with { Timeline = [] } };
}

/// <summary>Where a waiting call stands in its queue, for the announcements the caller hears.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.queue-place")]
public sealed record QueuePlace([property: Id(0)] int Position, [property: Id(1)] double ExpectedWaitSeconds);

[Alias("callcenter.transfer-kind")]
public enum TransferKind
{
    Queue = 0,
    Agent = 1,
    /// <summary>A queue whose agents are partner experts: the same as Queue, named for clarity in the timeline.</summary>
    PartnerExpertQueue = 2,
    /// <summary>Outside the contact center (a partner expert's URI or number): the call leaves.</summary>
    External = 3,
}

[GenerateSerializer, Immutable, Alias("callcenter.transfer-request")]
public sealed record TransferRequest
{
    [Id(0)] public TransferKind Kind { get; init; }
    /// <summary>Queue id, agent id, or external URI.</summary>
    [Id(1)] public required string Target { get; init; }
    [Id(2)] public string? Note { get; init; }
    /// <summary>The agent asking for the transfer (must hold the call).</summary>
    [Id(3)] public string? RequestedByAgentId { get; init; }
}

/// <summary>
/// The agent holding a call consults someone before handing the call over (attended transfer): a colleague by agent
/// id, or a partner expert outside the contact center by URI or number.
/// </summary>
[GenerateSerializer, Immutable, Alias("callcenter.consult-request")]
public sealed record ConsultRequest
{
    /// <summary>The agent holding the call.</summary>
    [Id(0)] public required string AgentId { get; init; }
    /// <summary><see cref="TransferKind.Agent"/> or <see cref="TransferKind.External"/>.</summary>
    [Id(1)] public TransferKind Kind { get; init; } = TransferKind.Agent;
    /// <summary>The consulted agent's id, or the external URI.</summary>
    [Id(2)] public required string Target { get; init; }
}

/// <summary>A consult in progress. A consulted agent is reserved (as for an offer) under <see cref="Epoch"/> until it ends.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.consultation")]
public sealed record Consultation(
    [property: Id(0)] TransferKind Kind,
    [property: Id(1)] string Target,
    [property: Id(2)] long Epoch,
    [property: Id(3)] bool Answered = false);

[Alias("callcenter.command-status")]
public enum CommandStatus
{
    Ok = 0,
    /// <summary>The same command already took effect; nothing changed this time.</summary>
    AlreadyDone = 1,
    /// <summary>The offer's epoch is not the current one (expired, withdrawn, or another offer).</summary>
    StaleEpoch = 2,
    /// <summary>The command is not allowed in the current state.</summary>
    InvalidState = 3,
    NotFound = 4,
    Refused = 5,
    InvalidArgument = 6,
}

[GenerateSerializer, Immutable, Alias("callcenter.command-result")]
public sealed record CommandResult([property: Id(0)] CommandStatus Status, [property: Id(1)] string? Message = null)
{
    public bool Succeeded => Status is CommandStatus.Ok or CommandStatus.AlreadyDone;

    public static CommandResult Ok { get; } = new(CommandStatus.Ok);
    public static CommandResult AlreadyDone { get; } = new(CommandStatus.AlreadyDone);
    public static CommandResult Stale(string message) => new(CommandStatus.StaleEpoch, message);
    public static CommandResult Invalid(string message) => new(CommandStatus.InvalidState, message);
    public static CommandResult Refused(string message) => new(CommandStatus.Refused, message);
}

/// <summary>What a queue tells a call (and an agent) about an offer: a lease valid until <see cref="ExpiresAt"/>.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.offer-lease")]
public sealed record OfferLease
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public required string QueueId { get; init; }
    [Id(2)] public required string AgentId { get; init; }
    [Id(3)] public required long Epoch { get; init; }
    [Id(4)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(5)] public Channel Channel { get; init; }
    [Id(6)] public double WaitedSeconds { get; init; }
    [Id(7)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
}

/// <summary>A call's place in a queue: what the queue keeps, persisted, for every waiting call.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.queue-ticket")]
public sealed record QueueTicket
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(2)] public required string SiteId { get; init; }
    [Id(3)] public Channel Channel { get; init; } = Channel.Voice;
    /// <summary>The priority the call arrived with (queue priority plus customer tier), before aging.</summary>
    [Id(4)] public int BasePriority { get; init; }
    /// <summary>When the call first entered a queue: kept across overflow and transfer so the call keeps its place.</summary>
    [Id(5)] public required DateTimeOffset EnqueuedAt { get; init; }
    /// <summary>Only this agent may take the call (a transfer to a named agent).</summary>
    [Id(6)] public string? TargetAgentId { get; init; }
    /// <summary>The agent the customer last spoke to, tried first when the queue says so.</summary>
    [Id(7)] public string? LastAgentId { get; init; }
    [Id(8)] public bool IsCallback { get; init; }
    /// <summary>When the call entered this queue (for overflow timing): equals EnqueuedAt unless it came from another queue.</summary>
    [Id(9)] public DateTimeOffset? EnteredThisQueueAt { get; init; }
    /// <summary>The SIP edge carries the call's media, so only an agent with a phone can take it.</summary>
    [Id(10)] public bool RequiresPhone { get; init; }
}

[Alias("callcenter.enqueue-status")]
public enum EnqueueStatus
{
    Queued = 0,
    AlreadyQueued = 1,
    QueueFull = 2,
    UnknownQueue = 3,
    Refused = 4,
}

[GenerateSerializer, Immutable, Alias("callcenter.enqueue-result")]
public sealed record EnqueueResult([property: Id(0)] EnqueueStatus Status, [property: Id(1)] int Position = 0, [property: Id(2)] string? Message = null);

/// <summary>Why a queue let a call go before an agent took it.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.overflow-notice")]
public sealed record OverflowNotice
{
    [Id(0)] public required string FromQueueId { get; init; }
    [Id(1)] public required OverflowAction Action { get; init; }
    [Id(2)] public required QueueTicket Ticket { get; init; }
    /// <summary>For a callback: the new call that keeps the caller's place.</summary>
    [Id(3)] public string? CallbackCallId { get; init; }
}

/// <summary>A finished call as seen by the queue, for handle-time metrics.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.handled-call")]
public sealed record HandledCall(
    [property: Id(0)] string CallId,
    [property: Id(1)] string SiteId,
    [property: Id(2)] double TalkSeconds,
    [property: Id(3)] double WrapUpSeconds);
