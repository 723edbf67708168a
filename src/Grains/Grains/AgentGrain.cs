using CallCenter.Grains.History;
using CallCenter.Grains.Lifecycle;
using CallCenter.Grains.Placement;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("AgentGrainState")]
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
}

[GenerateSerializer, Alias("PendingHandledCall")]
public sealed class PendingHandledCall
{
    [Id(0)] public required string QueueId { get; set; }
    [Id(1)] public required string CallId { get; set; }
    [Id(2)] public required string SiteId { get; set; }
    [Id(3)] public double TalkSeconds { get; set; }
}

/// <summary>
/// One agent's presence and reservations. It never awaits another grain: queues reserve it, calls tell it a call ended,
/// and it tells queues about its availability with one-way notices. Each presence span it leaves is handed to the
/// history store (a DI service, not a grain) without being awaited, for interval reports' occupancy.
/// </summary>
[GrainType("agent"), SitePlacement]
internal sealed partial class AgentGrain(
    [PersistentState("agent", StorageNames.State)] IPersistentState<AgentGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    ICallHistory history,
    SiteLocator sites,
    ILogger<AgentGrain> logger) : Grain, IAgentGrain, IGrainMigrationParticipant
{
    /// <summary>How often an available agent re-announces itself, so queues that restarted learn of it again.</summary>
    private static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(15);

    /// <summary>Extra time past an offer's expiry after which the agent frees itself if its queue never came back.</summary>
    private static readonly TimeSpan OrphanedOfferGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long a desktop session lasts without the gateway renewing it (it renews every minute).</summary>
    public static readonly TimeSpan DesktopLease = TimeSpan.FromMinutes(2);

    /// <summary>When the gateway last said it carries the desktop's stream; a new activation gives it a whole lease.</summary>
    private DateTimeOffset _desktopSeenAt;

    private const string ObserversKey = "observers";

    private readonly ObserverManager<IAgentObserver> _observers = new(TimeSpan.FromMinutes(10), logger);
    private IGrainTimer? _dueWorkTimer;

    /// <summary>Whether the queues were last told this agent is available: saves telling them "unavailable" twice.</summary>
    private bool _announcedAvailable = true;

    private AgentGrainState S => state.State;

    private string AgentId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _desktopSeenAt = Now;

        // A lost activation may have told queues versions it never wrote (a reservation is not written). Start above
        // them, as queue epochs do; otherwise a queue that saw a higher version ignores this agent's announcements and
        // never offers it a call again, though it is Available.
        S.PresenceVersion = Math.Max(S.PresenceVersion, Now.UtcTicks);
        if (S.Presence.State != PresenceState.LoggedOut)
        {
            ScheduleDueWork();
        }

        return Task.CompletedTask;
    }

    public async Task ConfigureAsync(AgentConfiguration configuration)
    {
        var previousQueues = S.Configuration?.CandidateQueueIds ?? [];
        S.Configuration = configuration;
        await WriteAsync();
        foreach (var dropped in previousQueues.Except(configuration.CandidateQueueIds))
        {
            _ = GrainFactory.GetGrain<IQueueGrain>(dropped).AgentUnavailableAsync(AgentId, ++S.PresenceVersion);
        }

        AnnounceAvailability();
        MoveHomeIfAway();
    }

    public async Task RemoveAsync()
    {
        if (S.Presence.State != PresenceState.LoggedOut && S.Calls.Count == 0)
        {
            await LogoutAsync();
        }

        S.Configuration = null;
        await WriteAsync();
    }

    public async Task<CommandResult> LoginAsync(string? notReadyReason = null)
    {
        if (S.Configuration is null)
        {
            return new CommandResult(CommandStatus.NotFound, $"agent '{AgentId}' is not configured");
        }

        if (S.Presence.State != PresenceState.LoggedOut)
        {
            return CommandResult.AlreadyDone;
        }

        if (notReadyReason is not null && !IsKnownReason(notReadyReason))
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"unknown reason code '{notReadyReason}'");
        }

        S.Counters = new AgentCounters();
        await MoveAsync(notReadyReason is null
            ? new AgentPresence { State = PresenceState.Available }
            : new AgentPresence { State = PresenceState.NotReady, ReasonCode = notReadyReason });
        MoveHomeIfAway();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> LogoutAsync()
    {
        if (S.Presence.State == PresenceState.LoggedOut)
        {
            return CommandResult.AlreadyDone;
        }

        if (S.Calls.Count > 0)
        {
            return CommandResult.Invalid("the agent holds a call: end or transfer it first");
        }

        GiveBackOffer();
        S.PendingNotReadyReason = null;
        await MoveAsync(AgentPresence.LoggedOut(Now));
        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetAvailableAsync()
    {
        switch (S.Presence.State)
        {
            case PresenceState.Available:
                return CommandResult.AlreadyDone;
            case PresenceState.NotReady:
            case PresenceState.WrapUp:
                S.PendingNotReadyReason = null;
                await MoveAsync(new AgentPresence { State = PresenceState.Available });
                return CommandResult.Ok;
            case PresenceState.Busy:
                S.PendingNotReadyReason = null;
                await WriteAsync();
                return CommandResult.Ok;
            default:
                return CommandResult.Invalid($"cannot become Available from {S.Presence.State}");
        }
    }

    public async Task<CommandResult> SetNotReadyAsync(string reasonCode)
    {
        if (!IsKnownReason(reasonCode))
        {
            return new CommandResult(CommandStatus.InvalidArgument, $"unknown reason code '{reasonCode}'");
        }

        switch (S.Presence.State)
        {
            case PresenceState.LoggedOut:
                return CommandResult.Invalid("log in first");
            case PresenceState.NotReady when S.Presence.ReasonCode == reasonCode:
                return CommandResult.AlreadyDone;
            case PresenceState.Busy:
                // Never drop a live call: the agent goes NotReady once the call and its wrap-up end.
                S.PendingNotReadyReason = reasonCode;
                await WriteAsync();
                return CommandResult.Ok;
            default:
                GiveBackOffer();
                S.PendingNotReadyReason = null;
                await MoveAsync(new AgentPresence { State = PresenceState.NotReady, ReasonCode = reasonCode });
                return CommandResult.Ok;
        }
    }

    public Task<bool> TryReserveAsync(OfferLease lease)
    {
        if (S.Offer is { } current && current.CallId == lease.CallId && current.Epoch == lease.Epoch)
        {
            return Task.FromResult(true);
        }

        if (S.Configuration is null || S.Offer is not null || !HasFreeCapacity(lease.Channel))
        {
            return Task.FromResult(false);
        }

        S.Offer = new AgentCallRef(lease.CallId, lease.QueueId, lease.Epoch, lease.Channel, lease.ExpiresAt);
        if (S.Presence.State == PresenceState.Available)
        {
            // The reservation is not written: if this activation is lost, the queue's lease expiry frees the call,
            // and the agent comes back in its last written state. The Available span it ends is recorded all the same
            // (an activation lost now would later record an Available span overlapping it: docs/reports.md).
            var left = S.Presence;
            (S.Presence, S.Counters) = AgentPresenceMachine.Move(S.Presence, S.Counters, new AgentPresence { State = PresenceState.Reserved }, Now);
            S.PresenceVersion++;
            RecordSpan(left, S.Presence.Since);
            ReportPresence();
        }

        TellQueuesUnavailable();
        ScheduleDueWork();
        _observers.Notify(observer => observer.OnOffer(lease));
        return Task.FromResult(true);
    }

    public async Task<CommandResult> ConfirmAcceptAsync(string callId, long epoch, double wrapUpSeconds)
    {
        if (S.Calls.Any(call => call.CallId == callId && call.Epoch == epoch))
        {
            return CommandResult.AlreadyDone;
        }

        if (S.Offer is not { } offer || offer.CallId != callId || offer.Epoch != epoch)
        {
            return CommandResult.Stale($"agent '{AgentId}' holds no offer of call '{callId}' with epoch {epoch}");
        }

        S.Offer = null;
        S.Calls.Add(offer with { OfferExpiresAt = null });
        S.WrapUpByCall[callId] = wrapUpSeconds;
        await MoveAsync(new AgentPresence { State = PresenceState.Busy });
        return CommandResult.Ok;
    }

    public async Task ReleaseOfferAsync(string callId, long epoch, bool missed)
    {
        if (S.Offer is not { } offer || offer.CallId != callId || offer.Epoch != epoch)
        {
            return;
        }

        S.Offer = null;
        _observers.Notify(observer => observer.OnOfferWithdrawn(callId, epoch));
        if (S.Presence.State != PresenceState.Reserved)
        {
            AnnounceAvailability();
            return;
        }

        if (missed)
        {
            S.Counters = S.Counters with { MissedOffers = S.Counters.MissedOffers + 1 };
            await MoveAsync(new AgentPresence { State = PresenceState.NotReady, ReasonCode = ReasonCodes.MissedOffer });
        }
        else
        {
            await MoveAsync(new AgentPresence { State = PresenceState.Available });
        }
    }

    public async Task CallEndedAsync(string callId, double talkSeconds, string siteId)
    {
        var index = S.Calls.FindIndex(call => call.CallId == callId);
        if (index < 0)
        {
            return;
        }

        S.InWrapUp.Add(new PendingHandledCall { QueueId = S.Calls[index].QueueId, CallId = callId, SiteId = siteId, TalkSeconds = talkSeconds });
        S.Calls.RemoveAt(index);
        var wrapUp = S.WrapUpByCall.Remove(callId, out var seconds) ? seconds : 0;
        S.Counters = S.Counters with { Handled = S.Counters.Handled + 1, TalkSeconds = S.Counters.TalkSeconds + talkSeconds };
        if (S.Calls.Count > 0)
        {
            await WriteAsync();
            AnnounceAvailability();
            return;
        }

        if (wrapUp > 0)
        {
            await MoveAsync(new AgentPresence { State = PresenceState.WrapUp, WrapUpUntil = Now.AddSeconds(wrapUp) });
        }
        else
        {
            await MoveAsync(AfterWork());
        }
    }

    public async Task DropCallAsync(string callId)
    {
        var index = S.Calls.FindIndex(call => call.CallId == callId);
        if (index < 0)
        {
            return;
        }

        LogCallDropped(AgentId, callId);
        S.Calls.RemoveAt(index);
        S.WrapUpByCall.Remove(callId);
        if (S.Calls.Count == 0 && S.Presence.State == PresenceState.Busy)
        {
            await MoveAsync(AfterWork());
        }
        else
        {
            await WriteAsync();
            AnnounceAvailability();
        }
    }

    public async Task<CommandResult> CompleteWrapUpAsync()
    {
        if (S.Presence.State != PresenceState.WrapUp)
        {
            return S.Presence.State is PresenceState.Available or PresenceState.NotReady
                ? CommandResult.AlreadyDone
                : CommandResult.Invalid($"not in wrap-up but {S.Presence.State}");
        }

        await MoveAsync(AfterWork());
        return CommandResult.Ok;
    }

    public async Task ProcessDueWorkAsync()
    {
        var now = Now;
        if (S.DesktopSessionId is not null && S.DesktopGraceUntil is null && now > _desktopSeenAt + DesktopLease)
        {
            // Nobody renews the session: the silo that carried its stream died without a disconnect notice.
            LogDesktopLeaseLapsed(AgentId);
            S.DesktopGraceUntil = _desktopSeenAt + DesktopLease;
        }

        if (S.DesktopGraceUntil is { } graceUntil && now > graceUntil)
        {
            // The desktop stayed away past its grace: no more offers until the agent is back (a live call is kept).
            S.DesktopGraceUntil = null;
            S.DesktopSessionId = null;
            LogDesktopLost(AgentId);
            if (S.Presence.State is not (PresenceState.LoggedOut or PresenceState.NotReady))
            {
                await SetNotReadyAsync(ReasonCodes.Disconnected);
            }
            else
            {
                await WriteAsync();
            }
        }

        if (S.Presence.State == PresenceState.WrapUp && S.Presence.WrapUpUntil <= now)
        {
            await MoveAsync(AfterWork());
        }

        if (S.Presence.State == PresenceState.Available && S.DesktopSessionId is null && S.PhoneContact is not null && PhoneContact() is null)
        {
            // The agent's only device was a phone whose registration lapsed (its edge or site is gone): no longer reachable.
            LogPhoneLapsed(AgentId);
            S.PhoneContact = null;
            S.PhoneRegisteredUntil = default;
            await SetNotReadyAsync(ReasonCodes.Disconnected);
        }

        if (S.Offer is { OfferExpiresAt: { } expires } orphan && now > expires + OrphanedOfferGrace)
        {
            // The queue that made the offer never confirmed or withdrew it (it was lost with its silo): free the agent.
            LogOrphanedOffer(AgentId, orphan.CallId);
            _ = GrainFactory.GetGrain<IQueueGrain>(orphan.QueueId).ReturnOfferAsync(orphan.CallId, AgentId, orphan.Epoch);
            await ReleaseOfferAsync(orphan.CallId, orphan.Epoch, missed: true);
        }

        if (S.Presence.State == PresenceState.Available || (S.Presence.State == PresenceState.Busy && S.Offer is null))
        {
            AnnounceAvailability();
        }

        foreach (var held in S.Calls)
        {
            // An accept whose answer was lost with a silo can leave this agent Busy with a call that was then answered by
            // someone else, or ended: the call knows, so ask it (one-way) and drop what is not ours.
            _ = GrainFactory.GetGrain<ICallGrain>(held.CallId).VerifyHeldByAsync(AgentId);
        }

        // A grain timer can fire a little before the time it was set for, and then nothing above is due yet: set it
        // again for what remains, or a one-second wrap-up lasts until the next 15 s tick.
        ScheduleDueWork();

        MoveHomeIfAway();
    }

    public Task<AgentStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task<DesktopConnection> DesktopConnectedAsync(string sessionId)
    {
        _desktopSeenAt = Now;
        var resumed = S.DesktopSessionId == sessionId && (S.DesktopGraceUntil is null || Now <= S.DesktopGraceUntil);
        S.DesktopSessionId = sessionId;
        S.DesktopGraceUntil = null;
        S.DesktopConnection++;
        await WriteAsync();
        ScheduleDueWork();
        return new DesktopConnection(sessionId, S.DesktopConnection, resumed);
    }

    public async Task DesktopDisconnectedAsync(DesktopConnection connection, TimeSpan grace)
    {
        if (S.DesktopSessionId != connection.SessionId || S.DesktopConnection != connection.Number || S.DesktopGraceUntil is not null)
        {
            // A newer stream (or session) took over, or the drop is already known.
            return;
        }

        S.DesktopGraceUntil = Now + grace;
        await WriteAsync();
        ScheduleDueWork();
    }

    public Task DesktopAliveAsync(DesktopConnection connection)
    {
        if (S.DesktopSessionId == connection.SessionId && S.DesktopConnection == connection.Number)
        {
            _desktopSeenAt = Now;
        }

        return Task.CompletedTask;
    }

    public Task SendMessageAsync(string from, string text)
    {
        _observers.Notify(observer => observer.OnSupervisorMessage(from, text));
        return Task.CompletedTask;
    }

    public async Task SetPhoneAsync(string? contactUri, DateTimeOffset until)
    {
        if (S.PhoneContact == contactUri && S.PhoneRegisteredUntil == until)
        {
            return;
        }

        S.PhoneContact = contactUri;
        S.PhoneRegisteredUntil = contactUri is null ? default : until;
        await WriteAsync();
        if (S.Presence.State == PresenceState.Available)
        {
            // Queues route edge calls only to agents with a phone: tell them what changed.
            AnnounceAvailability();
        }

        MoveHomeIfAway();
    }

    public Task SubscribeAsync(IAgentObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IAgentObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    private DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>
    /// Writes the state. When storage fails, this activation has already changed in memory what the caller is now told
    /// failed (a hang-up the call grain will retry, say), so the activation is dropped and the next request reads the
    /// last stored state back instead of acting on a change nobody else believes happened.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    private AgentPresence AfterWork() => S.PendingNotReadyReason is { } reason
        ? new AgentPresence { State = PresenceState.NotReady, ReasonCode = reason }
        : new AgentPresence { State = PresenceState.Available };

    private async Task MoveAsync(AgentPresence next)
    {
        if (S.InWrapUp.Count > 0 && S.Calls.Count == 0 && next.State != PresenceState.WrapUp)
        {
            ReportHandled(S.Presence.State == PresenceState.WrapUp ? Math.Max(0, (Now - S.Presence.Since).TotalSeconds) : 0);
        }

        if (next.State == PresenceState.NotReady || next.State == PresenceState.LoggedOut || next.State == PresenceState.Available)
        {
            S.PendingNotReadyReason = null;
        }

        var left = S.Presence;
        (S.Presence, S.Counters) = AgentPresenceMachine.Move(S.Presence, S.Counters, next, Now);
        S.PresenceVersion++;
        await WriteAsync();
        RecordSpan(left, S.Presence.Since);
        ReportPresence();
        if (HasFreeCapacity(Channel.Voice) || HasFreeCapacity(Channel.Chat))
        {
            AnnounceAvailability();
        }
        else
        {
            TellQueuesUnavailable();
        }

        ScheduleDueWork();
    }

    private void ReportHandled(double wrapUpSeconds)
    {
        foreach (var handled in S.InWrapUp)
        {
            _ = GrainFactory.GetGrain<IQueueGrain>(handled.QueueId)
                .RecordHandledAsync(new HandledCall(handled.CallId, handled.SiteId, handled.TalkSeconds, wrapUpSeconds));
            _ = GrainFactory.GetGrain<ICallGrain>(handled.CallId).RecordWrapUpAsync(AgentId, wrapUpSeconds);
        }

        S.InWrapUp.Clear();
    }

    /// <summary>
    /// Hands the span the agent just left to the history store, after the move is persisted. Not awaited, so a slow or
    /// failed store never delays or undoes a presence change; a span the store does not take is logged and lost (not
    /// retried): the interval reports then miss that stretch of the agent's time. LoggedOut spans are not recorded.
    /// </summary>
    private void RecordSpan(AgentPresence left, DateTimeOffset to)
    {
        if (S.Configuration is not { } configuration || left.State == PresenceState.LoggedOut || to <= left.Since)
        {
            return;
        }

        var span = new AgentStateSpan
        {
            AgentId = AgentId,
            TenantId = configuration.Definition.TenantId,
            SiteId = configuration.Definition.SiteId,
            State = left.State,
            From = left.Since,
            To = to,
        };
        _ = WriteSpanAsync(span);
    }

    private async Task WriteSpanAsync(AgentStateSpan span)
    {
        try
        {
            await history.AppendSpanAsync(span);
        }
        catch (Exception exception)
        {
            LogSpanLost(exception, span.AgentId, span.State, span.From, span.To);
        }
    }

    private void ReportPresence()
    {
        var status = Status();
        _observers.Notify(observer => observer.OnPresenceChanged(status));
        if (S.Configuration is { } configuration)
        {
            _ = GrainFactory.GetGrain<ISiteGrain>(configuration.Definition.SiteId)
                .AgentPresenceChangedAsync(AgentId, S.PresenceVersion, S.Presence.State, S.Counters.HandlingSeconds, S.Counters.AvailableSeconds);
        }
    }

    private bool HasFreeCapacity(Channel channel)
    {
        if (S.Configuration is not { } configuration || S.Offer is not null)
        {
            return false;
        }

        var capacity = configuration.Definition.CapacityFor(channel);
        return S.Presence.State switch
        {
            PresenceState.Available => capacity > 0,
            // A chat agent keeps taking chats up to its capacity; a voice call takes the agent whole.
            PresenceState.Busy => channel != Channel.Voice && S.Calls.All(call => call.Channel == channel) && S.Calls.Count < capacity,
            _ => false,
        };
    }

    private void AnnounceAvailability()
    {
        if (S.Configuration is not { } configuration)
        {
            return;
        }

        var free = new List<Channel>(2);
        foreach (var channel in (Channel[])[Channel.Voice, Channel.Chat])
        {
            if (HasFreeCapacity(channel))
            {
                free.Add(channel);
            }
        }

        if (free.Count == 0)
        {
            TellQueuesUnavailable();
            return;
        }

        var definition = configuration.Definition;
        var availability = new AgentAvailability
        {
            AgentId = AgentId,
            TenantId = definition.TenantId,
            SiteId = definition.SiteId,
            Kind = definition.Kind,
            PartnerOrganization = definition.PartnerOrganization,
            Skills = definition.Skills,
            IdleSince = S.Counters.IdleSince ?? S.Presence.Since,
            Occupancy = S.Counters.Occupancy,
            PresenceVersion = S.PresenceVersion,
            FreeChannels = free,
            HasPhone = PhoneContact() is not null,
        };
        _announcedAvailable = true;
        foreach (var queueId in configuration.CandidateQueueIds)
        {
            _ = GrainFactory.GetGrain<IQueueGrain>(queueId).AgentAvailableAsync(availability);
        }
    }

    private void TellQueuesUnavailable()
    {
        if (!_announcedAvailable)
        {
            return;
        }

        _announcedAvailable = false;
        foreach (var queueId in S.Configuration?.CandidateQueueIds ?? [])
        {
            _ = GrainFactory.GetGrain<IQueueGrain>(queueId).AgentUnavailableAsync(AgentId, S.PresenceVersion);
        }
    }

    /// <summary>Hands a pending offer back to its queue (which puts the call back in its place) without waiting on the queue.</summary>
    private void GiveBackOffer()
    {
        if (S.Offer is not { } offer)
        {
            return;
        }

        S.Offer = null;
        _ = GrainFactory.GetGrain<IQueueGrain>(offer.QueueId).ReturnOfferAsync(offer.CallId, AgentId, offer.Epoch);
        _observers.Notify(observer => observer.OnOfferWithdrawn(offer.CallId, offer.Epoch));
    }

    /// <summary>
    /// An agent activated while its site had no silo (the cluster starting, the site lost) runs on another site's silo;
    /// once its site has a silo again it migrates there with its observers (placement picks the silo). Not while an
    /// offer is pending: a reservation lives only in this activation.
    /// </summary>
    private void MoveHomeIfAway()
    {
        if (S.Configuration?.Definition.SiteId is { } site && S.Offer is null && S.Presence.State != PresenceState.Reserved
            && !sites.IsLocal(site) && sites.HasActiveSiloOf(site))
        {
            LogMovingHome(AgentId, site);
            this.MigrateOnIdle();
        }
    }

    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext)
    {
        // Desktops and probes stay subscribed across the move; their renewals keep working against the new activation.
        dehydrationContext.TryAddValue(ObserversKey, _observers.Observers.Keys.ToList());
    }

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue<List<IAgentObserver>>(ObserversKey, out var observers) && observers is not null)
        {
            foreach (var observer in observers)
            {
                _observers.Subscribe(observer, observer);
            }
        }
    }

    private bool IsKnownReason(string reasonCode) =>
        ReasonCodes.BuiltIn.Contains(reasonCode) || (S.Configuration?.ReasonCodes.Contains(reasonCode) ?? false);

    private void ScheduleDueWork()
    {
        var due = S.Presence.State switch
        {
            PresenceState.WrapUp when S.Presence.WrapUpUntil is { } until => until - Now,
            _ when S.Offer?.OfferExpiresAt is { } expires => expires + OrphanedOfferGrace - Now,
            PresenceState.Available or PresenceState.Busy => AnnounceEvery,
            _ => (TimeSpan?)null,
        };
        if (S.DesktopGraceUntil is { } graceUntil && (due is null || graceUntil - Now < due))
        {
            // Just past the end of the grace period, so the check sees it over.
            due = graceUntil - Now + TimeSpan.FromMilliseconds(1);
        }

        _dueWorkTimer?.Dispose();
        _dueWorkTimer = null;
        if (due is { } dueTime)
        {
            var start = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime;
            _dueWorkTimer = this.RegisterGrainTimer(ProcessDueWorkAsync, start, AnnounceEvery);
        }
    }

    private AgentStatus Status() => new()
    {
        AgentId = AgentId,
        Definition = S.Configuration?.Definition,
        Presence = S.Presence,
        Offer = S.Offer,
        Calls = S.Calls.ToList(),
        Counters = S.Counters,
        PresenceVersion = S.PresenceVersion,
        PhoneContact = PhoneContact(),
        DesktopGraceUntil = S.DesktopGraceUntil,
    };

    /// <summary>The registered phone while its registration lasts, else the configured URI the edge dials instead.</summary>
    private string? PhoneContact() =>
        S.PhoneContact is { } contact && Now < S.PhoneRegisteredUntil ? contact : S.Configuration?.Definition.PhoneUri;

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s desktop stayed away past its grace period: NotReady (disconnected)")]
    private partial void LogDesktopLost(string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId}'s desktop session was not renewed within its lease: its stream's silo is gone")]
    private partial void LogDesktopLeaseLapsed(string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId}'s phone registration lapsed and no desktop is connected: NotReady (disconnected)")]
    private partial void LogPhoneLapsed(string agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} runs away from site {SiteId}, which has a silo again: migrating there")]
    private partial void LogMovingHome(string agentId, string siteId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} dropped call {CallId}, which is not with it any more (an accept lost with a silo)")]
    private partial void LogCallDropped(string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} freed itself from an offer of call {CallId} its queue never settled")]
    private partial void LogOrphanedOffer(string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The history store did not take agent {AgentId}'s {State} span {From:o}–{To:o}; it is lost to interval occupancy")]
    private partial void LogSpanLost(Exception exception, string agentId, PresenceState state, DateTimeOffset from, DateTimeOffset to);
}
