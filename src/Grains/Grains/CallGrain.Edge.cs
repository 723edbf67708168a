using CallCenter.Domain.Lifecycle;
using CallCenter.Domain.Routing;
using CallCenter.Grains.Contracts;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>What the edge carrying the caller does: arrival, IVR, queueing, media, callbacks, the survey, and the edge's lease on the call.</summary>
internal sealed partial class CallGrain
{
    private static readonly TimeSpan EdgeLeaseCheckAtMostEvery = TimeSpan.FromSeconds(15);

    private IGrainTimer? _edgeLeaseTimer;

    /// <summary>When the edge last renewed its lease; a new activation gives it a whole lease.</summary>
    private DateTimeOffset _edgeSeenAt;

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
        if (arrival.MediaManagedByEdge)
        {
            // The edge's lease starts when the edge takes the call, not at its first renewal: an edge that dies before
            // renewing still leaves a call that is checked and ended.
            S.EdgeLeased = true;
            _edgeSeenAt = Now;
        }

        await state.WriteStateAsync();
        if (S.EdgeLeased)
        {
            StartEdgeLeaseTimer();
            await RegisterEdgeLeaseReminderAsync();
        }

        metrics.CallArrived(arrival.SiteId);
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
                : await entryPoints.FindAsync(arrival.DialledNumber);
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
        await GrainFactory.CallNotices(callbackId).StartCallbackAsync(Snapshot(), ticket with { CallId = callbackId, IsCallback = true }, queueId);
        return CommandResult.Ok;
    }

    public async Task<QueuePlace?> GetQueuePlaceAsync() =>
        CallLifecycle.IsWaiting(S.State) && S.QueueId is { } queueId ? await Queue(queueId).GetPlaceAsync(CallId) : null;

    public async Task<CommandResult> RecordSurveyAsync(int rating)
    {
        if (InputLimits.CheckSurveyRating(rating) is { } refused)
        {
            return refused;
        }

        if (S.SurveyRating is { } given)
        {
            return given == rating ? CommandResult.AlreadyDone : CommandResult.Invalid($"call '{CallId}' was already rated {given}");
        }

        if (S.ConnectedAt is null && !S.Events.EverConnected)
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

    public async Task<CallSnapshot> EdgeAliveAsync(ICallObserver edge)
    {
        if (S.State is not (CallState.New or CallState.Ended))
        {
            _observers.Subscribe(edge, edge);
            _edgeSeenAt = Now;
            if (!S.EdgeLeased)
            {
                S.EdgeLeased = true;
                await state.WriteStateAsync();
                await RegisterEdgeLeaseReminderAsync();
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

        if (S.EdgeLeased && Now - _edgeSeenAt > ConfiguredEdgeLease)
        {
            // The edge holding the caller and the media is gone (crashed, or its site lost): so is the call. It ended,
            // as far as anyone knows, when the edge was last heard of (not when its silence was noticed).
            LogEdgeLost(CallId, S.State);
            StopEdgeLeaseTimer();
            await HangUpAtAsync(CallParty.System, "edge lost", NotBeforeArrival(_edgeSeenAt));
        }
        else if (S.EdgeLeased && _edgeLeaseReminderMissing)
        {
            await RegisterEdgeLeaseReminderAsync();
        }
    }

    public Task<CommandResult> HangUpSinceAsync(CallParty party, TimeSpan ago, string? reason = null)
    {
        // The edge's word is bounded: never before the call arrived, never more than a lease ago.
        var clamped = ago < TimeSpan.Zero ? TimeSpan.Zero : ago > ConfiguredEdgeLease ? ConfiguredEdgeLease : ago;
        var at = Now - clamped;
        // A request held in transit (a frozen silo's gateway) counted its "ago" only to when it was sent: the edge's own
        // instant, when earlier and within the lease, is when it happened.
        if (HangUpContext.Read() is { } told && told < at && told >= Now - ConfiguredEdgeLease)
        {
            at = told;
        }

        return HangUpAtAsync(party, reason, NotBeforeArrival(at));
    }

    public async Task OfferRingingAsync(string agentId, long epoch)
    {
        if (CallLifecycle.IsWaiting(S.State) && S.QueueId is { } queueId)
        {
            await Queue(queueId).MarkOfferRingingAsync(CallId, agentId, epoch);
        }
    }

    public Task<CommandResult> OfferFailedAsync(string agentId, long epoch, OfferOutcome outcome) => EndOfferAsync(agentId, epoch, outcome);

    /// <summary>A late end is taken as told, but never before the call arrived (durations from it are never negative).</summary>
    private DateTimeOffset NotBeforeArrival(DateTimeOffset at) => S.Events.FirstAt is { } arrived && arrived > at ? arrived : at;

    /// <summary>The lease timer keeps the activation alive: a collected activation would never check its edge again.</summary>
    private TimeSpan ConfiguredEdgeLease => leaseOptions.Value.EdgeLeaseSeconds > 0 ? leaseOptions.Value.EdgeLease : EdgeLease;

    private TimeSpan EdgeLeaseCheckEvery => ConfiguredEdgeLease / 4 < EdgeLeaseCheckAtMostEvery ? ConfiguredEdgeLease / 4 : EdgeLeaseCheckAtMostEvery;

    private void StartEdgeLeaseTimer() => _edgeLeaseTimer ??= this.RegisterGrainTimer(
        ProcessDueWorkAsync, new GrainTimerCreationOptions(EdgeLeaseCheckEvery, EdgeLeaseCheckEvery) { KeepAlive = true });

    private void StopEdgeLeaseTimer()
    {
        _edgeLeaseTimer?.Dispose();
        _edgeLeaseTimer = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}'s edge stopped renewing its lease while the call was {State}: hung up as lost with its edge")]
    private partial void LogEdgeLost(string callId, CallState state);
}
