using CallCenter.Grains.History;
using CallCenter.Grains.Lifecycle;
using CallCenter.Grains.Routing;
using CallCenter.Grains.Placement;
using CallCenter.Grains.Telemetry;
using System.Diagnostics;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("CallGrainState")]
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
}

/// <summary>
/// One call's lifecycle, timeline and single outcome. It awaits its queue and its agent (never the other way round),
/// and watches that its queue still holds it while it waits, so a notice lost with a silo never loses the call.
/// </summary>
[GrainType("call"), SitePlacement]
internal sealed partial class CallGrain(
    [PersistentState("call", StorageNames.State)] IPersistentState<CallGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    ICallHistory history,
    ILogger<CallGrain> logger) : Grain, ICallGrain, IIncomingGrainCallFilter
{
    public const int MaxAttachedEntries = 64;
    public const int MaxAttachedLength = 512;
    public const int MaxNoteLength = 4000;
    private static readonly TimeSpan WatchEvery = TimeSpan.FromSeconds(20);

    /// <summary>How long a consulted agent stays reserved; a longer consult frees the agent (counted as a missed offer).</summary>
    public static readonly TimeSpan ConsultReservation = TimeSpan.FromMinutes(15);

    /// <summary>How often a call record the history store did not take is tried again.</summary>
    public static readonly TimeSpan HistoryRetryEvery = TimeSpan.FromSeconds(10);

    /// <summary>How long a call's edge may stay silent (it renews every 10 s) before the call counts as lost with it.</summary>
    public static readonly TimeSpan EdgeLease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan EdgeLeaseCheckEvery = TimeSpan.FromSeconds(15);

    private IGrainTimer? _watchdog;
    private IGrainTimer? _historyRetry;
    private IGrainTimer? _edgeLeaseTimer;

    /// <summary>When the edge last renewed its lease; a new activation gives it a whole lease.</summary>
    private DateTimeOffset _edgeSeenAt;
    private readonly HashSet<ICallObserver> _observers = [];

    private CallGrainState S => state.State;

    private string CallId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>After any call that added to the timeline, the observing edge gets the new snapshot: one place for every change.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Orleans' server span of this call (when traced): findable by the call's id, like the edge's spans.
        Activity.Current?.SetTag("callcenter.call_id", CallId);
        var before = S.Timeline.Count;
        await context.Invoke();
        if (_observers.Count > 0 && S.Timeline.Count != before)
        {
            var snapshot = Snapshot();
            foreach (var observer in _observers)
            {
                observer.OnCallChanged(snapshot);
            }

            if (S.State == CallState.Ended)
            {
                // The end is the last notice; watchers delete their references after it.
                _observers.Clear();
            }
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _edgeSeenAt = Now;
        if (S.EdgeLeased && S.State != CallState.Ended)
        {
            StartEdgeLeaseTimer();
        }

        if (CallLifecycle.IsWaiting(S.State))
        {
            StartWatchdog();
        }

        if (S.HistoryPending)
        {
            StartHistoryRetry();
        }

        return Task.CompletedTask;
    }

    /// <summary>A silo shutting down gives a pending call record one more try (the flag stays in state if it fails).</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (S.HistoryPending)
        {
            await FlushHistoryAsync(retryLater: false);
        }
    }

    public async Task<CallSnapshot> ArriveAsync(CallArrival arrival)
    {
        if (S.State != CallState.New)
        {
            return Snapshot();
        }

        S.Arrival = arrival;
        Move(CallState.Arrived);
        var customer = arrival.CustomerId ?? arrival.CallerNumber;
        S.CustomerKey = customer is null ? null : CustomerProfile.KeyFor(arrival.TenantId, customer);
        foreach (var (key, value) in arrival.AttachedData)
        {
            S.AttachedData[key] = value;
        }

        Record(CallEventKind.Arrived, arrival.DialledNumber);
        await state.WriteStateAsync();
        CallCenterMetrics.CallArrived(arrival.SiteId);
        return Snapshot();
    }

    public async Task<CommandResult> EnterIvrAsync()
    {
        if (S.State == CallState.InIvr)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State != CallState.Arrived)
        {
            return CommandResult.Invalid($"a call enters the IVR on arrival, not when {S.State}");
        }

        Move(CallState.InIvr);
        Record(CallEventKind.EnteredIvr);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> AttachDataAsync(IReadOnlyDictionary<string, string> data)
    {
        if (S.State is CallState.New or CallState.Ended)
        {
            return CommandResult.Invalid($"no data can be attached to a call that is {S.State}");
        }

        if (data.Any(pair => string.IsNullOrEmpty(pair.Key) || pair.Key.Length > MaxAttachedLength || (pair.Value?.Length ?? 0) > MaxAttachedLength)
            || S.AttachedData.Keys.Union(data.Keys).Count() > MaxAttachedEntries)
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"attached data holds at most {MaxAttachedEntries} entries of non-empty keys and values up to {MaxAttachedLength} characters");
        }

        foreach (var (key, value) in data)
        {
            S.AttachedData[key] = value ?? string.Empty;
        }

        Record(CallEventKind.DataAttached, string.Join(",", data.Keys));
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<EnqueueResult> EnqueueAsync(string? queueId = null)
    {
        if (S.State is CallState.Queued or CallState.Offered && (queueId is null || queueId == S.QueueId))
        {
            return new EnqueueResult(EnqueueStatus.AlreadyQueued);
        }

        if (S.Arrival is not { } arrival || S.State is not (CallState.Arrived or CallState.InIvr))
        {
            return new EnqueueResult(EnqueueStatus.Refused, Message: $"a call is queued after it arrives, not when {S.State}");
        }

        var priority = 0;
        if (queueId is null)
        {
            var entry = arrival.DialledNumber is null
                ? null
                : await GrainFactory.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).FindEntryPointAsync(arrival.DialledNumber);
            if (entry is null || entry.TenantId != arrival.TenantId)
            {
                return new EnqueueResult(EnqueueStatus.UnknownQueue, Message: $"no entry point for dialled number '{arrival.DialledNumber}'");
            }

            queueId = entry.QueueId;
            priority = entry.Priority;
            foreach (var (key, value) in entry.AttachedData)
            {
                S.AttachedData.TryAdd(key, value);
            }
        }

        string? lastAgent = null;
        if (S.CustomerKey is { } customerKey)
        {
            var customer = await GrainFactory.GetGrain<ICustomerGrain>(customerKey).GetProfileAsync();
            priority += customer.PriorityBoost;
            lastAgent = customer.LastAgentId;
        }

        var ticket = new QueueTicket
        {
            CallId = CallId,
            TenantId = arrival.TenantId,
            SiteId = arrival.SiteId,
            Channel = arrival.Channel,
            BasePriority = priority,
            EnqueuedAt = Now,
            LastAgentId = lastAgent,
            RequiresPhone = arrival.MediaManagedByEdge,
        };
        var result = await EnterQueueAsync(queueId, ticket, CallEventKind.Queued);
        if (result.Status == EnqueueStatus.QueueFull)
        {
            await EndAsync(CallOutcome.Overflowed, "queue full");
        }

        return result;
    }

    public async Task<CommandResult> AcceptAsync(string agentId, long epoch)
    {
        if (CallLifecycle.IsWithAgent(S.State))
        {
            return S.AgentId == agentId && S.OfferEpoch == epoch
                ? CommandResult.AlreadyDone
                : CommandResult.Stale($"call '{CallId}' is already with agent '{S.AgentId}'");
        }

        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is null)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not waiting for an agent");
        }

        var confirmed = await Queue(S.QueueId).ConfirmAcceptAsync(CallId, agentId, epoch);
        if (!confirmed.Succeeded)
        {
            return confirmed;
        }

        var now = Now;
        S.AgentId = agentId;
        S.OfferEpoch = epoch;
        S.WaitSeconds = S.Ticket is null ? 0 : Math.Max(0, (now - (S.Ticket.EnteredThisQueueAt ?? S.Ticket.EnqueuedAt)).TotalSeconds);
        CallCenterMetrics.WaitEnded(S.WaitSeconds, answered: true, S.QueueId, S.Arrival?.SiteId);
        Move(CallState.Connecting);
        Record(CallEventKind.Accepted, $"epoch {epoch}", agentId, S.QueueId);
        if (S.Arrival?.MediaManagedByEdge != true)
        {
            Connect(now);
        }

        StopWatchdog();
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> RejectAsync(string agentId, long epoch)
    {
        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is null)
        {
            return CommandResult.Stale($"call '{CallId}' is {S.State}: there is no offer to reject");
        }

        var result = await Queue(S.QueueId).RejectOfferAsync(CallId, agentId, epoch);
        if (result.Succeeded)
        {
            Move(CallState.Queued);
            S.OfferEpoch = null;
            Record(CallEventKind.OfferRejected, $"epoch {epoch}", agentId, S.QueueId);
            await state.WriteStateAsync();
        }

        return result;
    }

    public async Task<CommandResult> MediaConnectedAsync()
    {
        if (S.State == CallState.Connected)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State != CallState.Connecting)
        {
            return CommandResult.Invalid($"media connects a call that is Connecting, not {S.State}");
        }

        Connect(Now);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public Task<CommandResult> HoldAsync(string agentId) => ToggleHoldAsync(agentId, hold: true);

    public Task<CommandResult> ResumeAsync(string agentId) => ToggleHoldAsync(agentId, hold: false);

    public async Task<CommandResult> TransferAsync(TransferRequest request)
    {
        if (!CallLifecycle.IsWithAgent(S.State) || S.AgentId is not { } agentId || S.Ticket is not { } ticket)
        {
            return CommandResult.Invalid($"only a call with an agent can be transferred; call '{CallId}' is {S.State}");
        }

        if (request.RequestedByAgentId is { } requester && requester != agentId)
        {
            return CommandResult.Refused($"agent '{requester}' does not hold call '{CallId}'");
        }

        if (string.IsNullOrWhiteSpace(request.Target))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a transfer needs a target");
        }

        if (S.State == CallState.Consulting)
        {
            return CommandResult.Invalid($"call '{CallId}' is in a consult: complete or cancel it first");
        }

        var talk = TalkSeconds();
        if (request.Kind == TransferKind.External)
        {
            Record(CallEventKind.Transferred, request.Target, agentId);
            await ReleaseAgentAsync(agentId, talk);
            await EndAsync(CallOutcome.TransferredOut, request.Target);
            return CommandResult.Ok;
        }

        // The call keeps its context and original priority; it waits afresh in the target queue.
        var targetQueue = request.Kind == TransferKind.Agent ? S.QueueId! : request.Target;
        var next = ticket with
        {
            EnqueuedAt = Now,
            EnteredThisQueueAt = Now,
            TargetAgentId = request.Kind == TransferKind.Agent ? request.Target : null,
            LastAgentId = null,
        };
        var result = await Queue(targetQueue).EnqueueAsync(next);
        if (result.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
        {
            return new CommandResult(CommandStatus.Refused, result.Message ?? $"queue '{targetQueue}' refused the call: {result.Status}");
        }

        if (request.Note is { Length: > 0 } note)
        {
            S.Notes.Add(note.Length > MaxNoteLength ? note[..MaxNoteLength] : note);
        }

        await ReleaseAgentAsync(agentId, talk);
        Move(CallState.Queued);
        S.QueueId = targetQueue;
        S.Ticket = next;
        S.AgentId = null;
        S.OfferEpoch = null;
        S.ConnectedAt = null;
        Record(CallEventKind.Transferred, $"{request.Kind}:{request.Target}", agentId, targetQueue);
        StartWatchdog();
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> StartConsultAsync(ConsultRequest request)
    {
        if (S.State == CallState.Consulting && S.Consult is { } current)
        {
            return current.Kind == request.Kind && current.Target == request.Target && S.AgentId == request.AgentId
                ? CommandResult.AlreadyDone
                : CommandResult.Invalid($"call '{CallId}' is already in a consult with '{current.Target}'");
        }

        if (S.State is not (CallState.Connected or CallState.Held) || S.AgentId is not { } holder)
        {
            return CommandResult.Invalid($"only a connected call can be consulted on; call '{CallId}' is {S.State}");
        }

        if (request.AgentId != holder)
        {
            return CommandResult.Refused($"agent '{request.AgentId}' does not hold call '{CallId}'");
        }

        if (string.IsNullOrWhiteSpace(request.Target))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a consult needs a target");
        }

        if (request.Kind is not (TransferKind.Agent or TransferKind.External))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a consult goes to an agent or an external party; transfer to a queue directly");
        }

        var epoch = Now.UtcTicks;
        if (request.Kind == TransferKind.Agent)
        {
            if (request.Target == holder)
            {
                return new CommandResult(CommandStatus.InvalidArgument, "an agent cannot consult themselves");
            }

            var target = GrainFactory.GetGrain<IAgentGrain>(request.Target);
            if (S.Arrival?.MediaManagedByEdge == true && (await target.GetStatusAsync()).PhoneContact is null)
            {
                return CommandResult.Refused($"agent '{request.Target}' has no phone to take the consult");
            }

            // The consulted agent is reserved like an offer, so no queue offers them a call meanwhile.
            var reserved = await target.TryReserveAsync(new OfferLease
            {
                CallId = CallId,
                QueueId = S.QueueId ?? string.Empty,
                AgentId = request.Target,
                Epoch = epoch,
                ExpiresAt = Now + ConsultReservation,
                Channel = S.Ticket?.Channel ?? Channel.Voice,
                TenantId = S.Ticket?.TenantId ?? TenantDefinition.DefaultTenantId,
            });
            if (!reserved)
            {
                return CommandResult.Refused($"agent '{request.Target}' is not available for a consult");
            }
        }

        S.Consult = new Consultation(request.Kind, request.Target, epoch);
        Move(CallState.Consulting);
        Record(CallEventKind.ConsultStarted, $"{request.Kind}:{request.Target}", holder, S.QueueId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> ConsultAnsweredAsync()
    {
        if (S.State != CallState.Consulting || S.Consult is not { } consult)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not in a consult");
        }

        if (consult.Answered)
        {
            return CommandResult.AlreadyDone;
        }

        S.Consult = consult with { Answered = true };
        Record(CallEventKind.ConsultAnswered, $"{consult.Kind}:{consult.Target}", S.AgentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> CompleteConsultAsync(string agentId)
    {
        if (S.State != CallState.Consulting || S.Consult is not { } consult || S.AgentId is not { } holder)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}, not in a consult");
        }

        if (agentId != holder)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        var talk = TalkSeconds();
        if (consult.Kind == TransferKind.External)
        {
            S.Consult = null;
            Record(CallEventKind.ConsultEnded, "completed", holder);
            Record(CallEventKind.Transferred, consult.Target, holder);
            await ReleaseAgentAsync(holder, talk);
            await EndAsync(CallOutcome.TransferredOut, consult.Target);
            return CommandResult.Ok;
        }

        var wrapUp = S.QueueId is { Length: > 0 } queueId ? (await Queue(queueId).GetStatusAsync()).Definition?.WrapUpSeconds ?? 0 : 0;
        var confirmed = await GrainFactory.GetGrain<IAgentGrain>(consult.Target).ConfirmAcceptAsync(CallId, consult.Epoch, wrapUp);
        if (!confirmed.Succeeded)
        {
            // The reservation lapsed: the caller goes back to the consulting agent.
            S.Consult = null;
            Move(CallState.Connected);
            Record(CallEventKind.ConsultEnded, $"failed: {confirmed.Message}", holder);
            await state.WriteStateAsync();
            return CommandResult.Refused($"agent '{consult.Target}' can no longer take the call: {confirmed.Message}");
        }

        await ReleaseAgentAsync(holder, talk);
        S.Consult = null;
        S.AgentId = consult.Target;
        S.OfferEpoch = consult.Epoch;
        Record(CallEventKind.ConsultEnded, "completed", holder);
        Record(CallEventKind.Transferred, $"{TransferKind.Agent}:{consult.Target}", holder, S.QueueId);
        Connect(Now);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> CancelConsultAsync(string? agentId, string? reason = null)
    {
        if (S.State != CallState.Consulting || S.Consult is null)
        {
            return CommandResult.AlreadyDone;
        }

        if (agentId is not null && agentId != S.AgentId)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        await ReleaseConsultedAgentAsync();
        Move(CallState.Connected);
        Record(CallEventKind.ConsultEnded, reason ?? "cancelled", S.AgentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> HangUpAsync(CallParty party, string? reason = null)
    {
        if (S.State == CallState.Ended)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State == CallState.New)
        {
            return new CommandResult(CommandStatus.NotFound, $"call '{CallId}' never arrived");
        }

        var outcome = CallLifecycle.OutcomeOfHangUp(S.State, party);
        if (CallLifecycle.IsWaiting(S.State) && S.QueueId is { } queueId)
        {
            if (S.Ticket is { } ticket)
            {
                S.WaitSeconds = Math.Max(0, (Now - (ticket.EnteredThisQueueAt ?? ticket.EnqueuedAt)).TotalSeconds);
                CallCenterMetrics.WaitEnded(S.WaitSeconds, answered: false, queueId, S.Arrival?.SiteId);
            }

            await Queue(queueId).RemoveAsync(CallId, CallEventKind.Ended);
        }
        else if (CallLifecycle.IsWithAgent(S.State) && S.AgentId is { } agentId)
        {
            await ReleaseConsultedAgentAsync();
            await ReleaseAgentAsync(agentId, TalkSeconds());
        }

        var detail = reason ?? (outcome == CallOutcome.Abandoned
            ? (S.State is CallState.Arrived or CallState.InIvr ? "abandoned in IVR" : "abandoned in queue")
            : $"hung up by {party.ToString().ToLowerInvariant()}");
        await EndAsync(outcome, detail);
        return CommandResult.Ok;
    }

    public async Task<CommandResult> AddNoteAsync(string agentId, string note)
    {
        if (string.IsNullOrWhiteSpace(note) || note.Length > MaxNoteLength)
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"a note has 1 to {MaxNoteLength} characters");
        }

        if (S.AgentId != agentId && !S.Timeline.Any(e => e.AgentId == agentId && e.Kind == CallEventKind.Accepted))
        {
            return CommandResult.Refused($"agent '{agentId}' did not handle call '{CallId}'");
        }

        S.Notes.Add(note);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public Task<CallSnapshot> GetAsync() => Task.FromResult(Snapshot());

    public async Task<CommandResult> RequestCallbackAsync()
    {
        if (S.Outcome == CallOutcome.CallbackScheduled)
        {
            return CommandResult.AlreadyDone;
        }

        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is not { } queueId || S.Ticket is not { } ticket)
        {
            return CommandResult.Invalid($"a callback keeps the place of a waiting call; call '{CallId}' is {S.State}");
        }

        if (!await Queue(queueId).ConvertToCallbackAsync(CallId))
        {
            return CommandResult.Invalid($"queue '{queueId}' no longer holds call '{CallId}'");
        }

        var callbackId = OverflowPolicy.CallbackCallId(CallId);
        Record(CallEventKind.CallbackScheduled, "requested by the caller", queueId: queueId);
        await EndAsync(CallOutcome.CallbackScheduled, callbackId);
        await GrainFactory.GetGrain<ICallGrain>(callbackId).StartCallbackAsync(Snapshot(), ticket with { CallId = callbackId, IsCallback = true }, queueId);
        return CommandResult.Ok;
    }

    public async Task<QueuePlace?> GetQueuePlaceAsync() =>
        CallLifecycle.IsWaiting(S.State) && S.QueueId is { } queueId ? await Queue(queueId).GetPlaceAsync(CallId) : null;

    public async Task<CommandResult> RecordSurveyAsync(int rating)
    {
        if (rating is < 1 or > 5)
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a survey rating is 1 to 5");
        }

        if (S.SurveyRating is { } given)
        {
            return given == rating ? CommandResult.AlreadyDone : CommandResult.Invalid($"call '{CallId}' was already rated {given}");
        }

        if (S.ConnectedAt is null && !S.Timeline.Any(e => e.Kind == CallEventKind.Connected))
        {
            return CommandResult.Invalid($"call '{CallId}' never reached an agent");
        }

        S.SurveyRating = rating;
        Record(CallEventKind.SurveyAnswered, rating.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var amended = AmendHistory();
        await state.WriteStateAsync();
        if (amended)
        {
            await FlushHistoryAsync();
        }

        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetRecordingPausedAsync(bool paused)
    {
        if (S.RecordingPaused == paused)
        {
            return CommandResult.AlreadyDone;
        }

        if (paused && S.State is not (CallState.Connected or CallState.Held))
        {
            return CommandResult.Invalid($"only a connected call's recording can be paused; call '{CallId}' is {S.State}");
        }

        S.RecordingPaused = paused;
        Record(paused ? CallEventKind.RecordingPaused : CallEventKind.RecordingResumed);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public Task ObserveAsync(ICallObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public Task UnobserveAsync(ICallObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    public async Task<CallSnapshot> EdgeAliveAsync(ICallObserver edge)
    {
        if (S.State is not (CallState.New or CallState.Ended))
        {
            _observers.Add(edge);
            _edgeSeenAt = Now;
            if (!S.EdgeLeased)
            {
                S.EdgeLeased = true;
                await state.WriteStateAsync();
            }

            StartEdgeLeaseTimer();
        }

        return Snapshot();
    }

    public async Task ProcessDueWorkAsync()
    {
        if (S.State == CallState.Ended)
        {
            StopEdgeLeaseTimer();
            return;
        }

        if (S.EdgeLeased && Now - _edgeSeenAt > EdgeLease)
        {
            // The edge holding the caller and the media is gone (crashed, or its site lost): so is the call.
            LogEdgeLost(CallId, S.State);
            StopEdgeLeaseTimer();
            await HangUpAsync(CallParty.System, "edge lost");
        }
    }

    public async Task<CommandResult> SetDispositionAsync(string agentId, string dispositionCode, string? notes)
    {
        if (string.IsNullOrWhiteSpace(dispositionCode))
        {
            return new CommandResult(CommandStatus.InvalidArgument, "a disposition code is needed");
        }

        if (notes is { Length: > MaxNoteLength })
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"notes are limited to {MaxNoteLength} characters");
        }

        if (!HandledBy(agentId))
        {
            return CommandResult.Refused($"agent '{agentId}' did not handle call '{CallId}'");
        }

        if (S.Dispositions.TryGetValue(agentId, out var existing))
        {
            return existing == dispositionCode ? CommandResult.AlreadyDone : CommandResult.Invalid($"agent '{agentId}' already wrapped up call '{CallId}' as '{existing}'");
        }

        S.Dispositions[agentId] = dispositionCode;
        if (notes is { Length: > 0 })
        {
            S.Notes.Add(notes);
        }

        Record(CallEventKind.WrappedUp, dispositionCode, agentId);
        var amended = AmendHistory();
        await state.WriteStateAsync();
        if (amended)
        {
            await FlushHistoryAsync();
        }

        return CommandResult.Ok;
    }

    public async Task RecordWrapUpAsync(string agentId, double seconds)
    {
        // No wrap-up changes nothing in the record, so it makes no new revision.
        if (S.State != CallState.Ended || !double.IsFinite(seconds) || seconds <= 0 || !S.WrapUpByAgent.TryAdd(agentId, seconds))
        {
            return;
        }

        AmendHistory();
        await state.WriteStateAsync();
        await FlushHistoryAsync();
    }

    public async Task StartCallbackAsync(CallSnapshot original, QueueTicket ticket, string queueId)
    {
        if (S.State != CallState.New)
        {
            return;
        }

        S.Arrival = original.Arrival;
        S.CustomerKey = original.CustomerKey;
        S.CallbackOfCallId = original.CallId;
        foreach (var (key, value) in original.AttachedData)
        {
            S.AttachedData[key] = value;
        }

        Move(CallState.Queued);
        S.QueueId = queueId;
        S.Ticket = ticket;
        Record(CallEventKind.CallbackScheduled, $"keeps the place of {original.CallId}", queueId: queueId);
        StartWatchdog();
        await state.WriteStateAsync();
    }

    public Task OfferedAsync(OfferLease lease)
    {
        // Advisory: the queue holds the lease. Not written on its own; the next transition writes the timeline.
        if (S.State == CallState.Queued && lease.QueueId == S.QueueId)
        {
            Move(CallState.Offered);
            S.OfferEpoch = lease.Epoch;
            Record(CallEventKind.Offered, $"epoch {lease.Epoch}", lease.AgentId, lease.QueueId);
        }

        return Task.CompletedTask;
    }

    public Task OfferWithdrawnAsync(OfferLease lease, CallEventKind why)
    {
        if (S.State == CallState.Offered && S.OfferEpoch == lease.Epoch)
        {
            Move(CallState.Queued);
            S.OfferEpoch = null;
            Record(why, $"epoch {lease.Epoch}", lease.AgentId, lease.QueueId);
        }

        return Task.CompletedTask;
    }

    public async Task OverflowedAsync(OverflowNotice notice)
    {
        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId != notice.FromQueueId)
        {
            return;
        }

        // If the watchdog put the call back before this notice came, take it out again: one place at a time.
        await Queue(notice.FromQueueId).RemoveAsync(CallId, CallEventKind.Overflowed);
        Record(CallEventKind.Overflowed, notice.Action.Kind.ToString(), queueId: notice.FromQueueId);
        switch (notice.Action.Kind)
        {
            case OverflowKind.Queue when notice.Action.TargetQueueId is { } target:
                var result = await EnterQueueAsync(target, OverflowPolicy.TicketForTarget(notice.Ticket, Now), CallEventKind.Queued);
                if (result.Status is not (EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued))
                {
                    await EndAsync(CallOutcome.Overflowed, $"overflow queue '{target}' refused the call: {result.Status}");
                }

                break;
            case OverflowKind.Callback when notice.CallbackCallId is { } callbackId:
                await EndAsync(CallOutcome.CallbackScheduled, callbackId);
                await GrainFactory.GetGrain<ICallGrain>(callbackId)
                    .StartCallbackAsync(Snapshot(), notice.Ticket with { CallId = callbackId, IsCallback = true }, notice.FromQueueId);
                break;
            default:
                await EndAsync(CallOutcome.Overflowed, notice.Action.AnnouncementId is { } announcement ? $"announcement {announcement}" : "overflow");
                break;
        }
    }

    private async Task<EnqueueResult> EnterQueueAsync(string queueId, QueueTicket ticket, CallEventKind kind)
    {
        var result = await Queue(queueId).EnqueueAsync(ticket);
        if (result.Status is EnqueueStatus.Queued or EnqueueStatus.AlreadyQueued)
        {
            Move(CallState.Queued);
            S.QueueId = queueId;
            S.Ticket = ticket;
            Record(kind, $"position {result.Position}", queueId: queueId);
            StartWatchdog();
            await state.WriteStateAsync();
        }

        return result;
    }

    public async Task VerifyHeldByAsync(string agentId)
    {
        var heldByAgent = CallLifecycle.IsWithAgent(S.State) && (S.AgentId == agentId || S.Consult?.Target == agentId);
        if (!heldByAgent)
        {
            await GrainFactory.GetGrain<IAgentGrain>(agentId).DropCallAsync(CallId);
        }
    }

    private Task ReleaseAgentAsync(string agentId, double talkSeconds) =>
        GrainFactory.GetGrain<IAgentGrain>(agentId).CallEndedAsync(CallId, talkSeconds, S.Arrival?.SiteId ?? S.Ticket?.SiteId ?? string.Empty);

    /// <summary>Whether the agent holds or held the call (accepted it, or took it over from a consult).</summary>
    private bool HandledBy(string agentId) =>
        S.AgentId == agentId || S.Timeline.Any(e => e.AgentId == agentId && e.Kind is CallEventKind.Accepted or CallEventKind.Connected);

    /// <summary>Frees a consulted agent's reservation (the consult is over without a hand-over).</summary>
    private async Task ReleaseConsultedAgentAsync()
    {
        if (S.Consult is { } consult)
        {
            S.Consult = null;
            if (consult.Kind == TransferKind.Agent)
            {
                await GrainFactory.GetGrain<IAgentGrain>(consult.Target).ReleaseOfferAsync(CallId, consult.Epoch, missed: false);
            }
        }
    }

    private async Task EndAsync(CallOutcome outcome, string? detail)
    {
        Move(CallState.Ended);
        S.Outcome = outcome;
        S.OutcomeDetail = detail;
        S.EndedAt = Now;
        S.TalkSecondsAtEnd = TalkSeconds();
        Record(CallEventKind.Ended, $"{outcome}: {detail}", S.AgentId, S.QueueId);
        StopWatchdog();
        S.HistoryRevision = 1;
        S.HistoryPending = true;
        await state.WriteStateAsync();
        CallCenterMetrics.CallEnded(outcome, S.QueueId, S.Arrival?.SiteId);
        Activity.Current?.AddEvent(new ActivityEvent("call.ended", tags: new ActivityTagsCollection
        {
            ["call.outcome"] = outcome.ToString(),
            ["call.queue"] = S.QueueId,
        }));
        await FlushHistoryAsync();
        if (S.CustomerKey is { } customerKey)
        {
            await GrainFactory.GetGrain<ICustomerGrain>(customerKey).AddContactAsync(new ContactRecord
            {
                CallId = CallId,
                At = Now,
                Outcome = outcome,
                AgentId = S.AgentId ?? S.Timeline.LastOrDefault(e => e.Kind == CallEventKind.Accepted)?.AgentId,
                QueueId = S.QueueId,
                WaitSeconds = S.WaitSeconds,
                TalkSeconds = TalkSeconds(),
            });
        }
    }

    private async Task<CommandResult> ToggleHoldAsync(string agentId, bool hold)
    {
        if (S.AgentId != agentId)
        {
            return CommandResult.Refused($"agent '{agentId}' does not hold call '{CallId}'");
        }

        var (from, to, kind) = hold
            ? (CallState.Connected, CallState.Held, CallEventKind.Held)
            : (CallState.Held, CallState.Connected, CallEventKind.Resumed);
        if (S.State == to)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.State != from)
        {
            return CommandResult.Invalid($"call '{CallId}' is {S.State}");
        }

        Move(to);
        Record(kind, agentId: agentId);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    private void Connect(DateTimeOffset now)
    {
        Move(CallState.Connected);
        S.ConnectedAt = now;
        Record(CallEventKind.Connected, agentId: S.AgentId);
    }

    /// <summary>Every state change goes through the lifecycle table: a move it does not allow is a bug, not a state.</summary>
    private void Move(CallState next)
    {
        if (!CallLifecycle.CanMove(S.State, next))
        {
            throw new InvalidOperationException($"call '{CallId}' cannot move from {S.State} to {next}");
        }

        S.State = next;
    }

    private double TalkSeconds() => S.ConnectedAt is { } connected ? Math.Max(0, (Now - connected).TotalSeconds) : 0;

    private void Record(CallEventKind kind, string? detail = null, string? agentId = null, string? queueId = null) =>
        S.Timeline.Add(new CallEvent(Now, kind, detail, agentId, queueId));

    /// <summary>After the end, a change the record carries (survey, disposition, wrap-up) makes a new revision to write.</summary>
    private bool AmendHistory()
    {
        if (S.State != CallState.Ended || S.HistoryRevision == 0)
        {
            return false;
        }

        S.HistoryRevision++;
        S.HistoryPending = true;
        return true;
    }

    /// <summary>
    /// Hands the pending record to the history store. The pending flag is in the grain's state, written before this is
    /// called, so a store that is briefly unavailable only delays the record: a timer (which keeps the grain active)
    /// retries it, and an activation that finds the flag set retries too. A record written twice is one record to every
    /// reader (latest revision per call id).
    /// </summary>
    private Task FlushHistoryAsync() => FlushHistoryAsync(retryLater: true);

    private async Task FlushHistoryAsync(bool retryLater)
    {
        if (!S.HistoryPending)
        {
            StopHistoryRetry();
            return;
        }

        var revision = S.HistoryRevision;
        try
        {
            await history.AppendAsync(HistoryRecord());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogHistoryUnavailable(exception, CallId);
            if (retryLater)
            {
                StartHistoryRetry();
            }

            return;
        }

        if (S.HistoryRevision == revision)
        {
            S.HistoryPending = false;
            await state.WriteStateAsync();
            StopHistoryRetry();
        }
    }

    private void StartHistoryRetry() => _historyRetry ??= this.RegisterGrainTimer(
        FlushHistoryAsync, new GrainTimerCreationOptions(HistoryRetryEvery, HistoryRetryEvery) { KeepAlive = true });

    private void StopHistoryRetry()
    {
        _historyRetry?.Dispose();
        _historyRetry = null;
    }

    private CallRecord HistoryRecord() => new()
    {
        CallId = CallId,
        Revision = S.HistoryRevision,
        TenantId = S.Arrival?.TenantId ?? TenantDefinition.DefaultTenantId,
        SiteId = S.Arrival?.SiteId,
        QueueId = S.QueueId,
        AgentId = S.AgentId ?? S.Timeline.LastOrDefault(e => e.Kind is CallEventKind.Accepted or CallEventKind.Connected)?.AgentId,
        Channel = S.Arrival?.Channel ?? Channel.Voice,
        Outcome = S.Outcome,
        OutcomeDetail = S.OutcomeDetail,
        ArrivedAt = S.Timeline.FirstOrDefault()?.At ?? S.EndedAt ?? Now,
        FirstEnqueuedAt = S.Ticket?.EnqueuedAt,
        ConnectedAt = S.ConnectedAt ?? S.Timeline.FirstOrDefault(e => e.Kind == CallEventKind.Connected)?.At,
        EndedAt = S.EndedAt ?? Now,
        WaitSeconds = S.WaitSeconds,
        TalkSeconds = S.TalkSecondsAtEnd,
        WrapUpSeconds = S.WrapUpByAgent.Values.Sum(),
        SurveyRating = S.SurveyRating,
        CallbackOfCallId = S.CallbackOfCallId,
        Dispositions = new Dictionary<string, string>(S.Dispositions),
        Timeline = S.Timeline.ToList(),
    };

    private void StartEdgeLeaseTimer() => _edgeLeaseTimer ??= this.RegisterGrainTimer(ProcessDueWorkAsync, EdgeLeaseCheckEvery, EdgeLeaseCheckEvery);

    private void StopEdgeLeaseTimer()
    {
        _edgeLeaseTimer?.Dispose();
        _edgeLeaseTimer = null;
    }

    private void StartWatchdog() => _watchdog ??= this.RegisterGrainTimer(WatchQueueAsync, WatchEvery, WatchEvery);

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }

    /// <summary>A waiting call whose queue no longer holds it (a notice lost with a silo) goes back in its place.</summary>
    private async Task WatchQueueAsync()
    {
        if (!CallLifecycle.IsWaiting(S.State) || S.QueueId is not { } queueId || S.Ticket is not { } ticket)
        {
            StopWatchdog();
            return;
        }

        if (await Queue(queueId).ContainsAsync(CallId))
        {
            return;
        }

        LogRequeued(CallId, queueId);
        Move(CallState.Queued);
        S.OfferEpoch = null;
        await EnterQueueAsync(queueId, ticket, CallEventKind.Requeued);
    }

    private IQueueGrain Queue(string queueId) => GrainFactory.GetGrain<IQueueGrain>(queueId);

    private CallSnapshot Snapshot() => new()
    {
        CallId = CallId,
        State = S.State,
        Outcome = S.Outcome,
        OutcomeDetail = S.OutcomeDetail,
        Arrival = S.Arrival,
        CustomerKey = S.CustomerKey,
        QueueId = S.QueueId,
        AgentId = S.AgentId,
        OfferEpoch = S.OfferEpoch,
        Priority = S.Ticket?.BasePriority ?? 0,
        FirstEnqueuedAt = S.Ticket?.EnqueuedAt,
        ConnectedAt = S.ConnectedAt,
        EndedAt = S.EndedAt,
        AttachedData = new Dictionary<string, string>(S.AttachedData),
        Timeline = S.Timeline.ToList(),
        Notes = S.Notes.ToList(),
        CallbackOfCallId = S.CallbackOfCallId,
        SurveyRating = S.SurveyRating,
        RecordingPaused = S.RecordingPaused,
        Consult = S.Consult,
        Dispositions = new Dictionary<string, string>(S.Dispositions),
        OfferedAgentId = S.State == CallState.Offered ? S.Timeline.LastOrDefault(e => e.Kind == CallEventKind.Offered)?.AgentId : null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The history store did not take the record of call {CallId}; it is kept and retried")]
    private partial void LogHistoryUnavailable(Exception exception, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}'s edge stopped renewing its lease while the call was {State}: hung up as lost with its edge")]
    private partial void LogEdgeLost(string callId, CallState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} was missing from queue {QueueId} and was put back in its place")]
    private partial void LogRequeued(string callId, string queueId);
}
