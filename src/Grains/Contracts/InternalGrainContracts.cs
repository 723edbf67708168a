using CallCenter.Model;
using Orleans.Concurrency;

namespace CallCenter.Grains.Contracts;

/// <summary>
/// What queues and agents tell a call, and the call's timer hook. Internal to the grains' assembly (Orleans generates
/// its proxy here), so no client outside it (an edge, the gateway, a desk) can send these; tests reach it through
/// InternalsVisibleTo.
/// </summary>
[Alias("callcenter.call.notices")]
internal interface ICallNotices : IGrainWithStringKey
{
    /// <summary>Starts a callback that keeps the place of <paramref name="original"/> in a queue.</summary>
    [Alias("callcenter.call.notices.start-callback")]
    Task StartCallbackAsync(CallSnapshot original, QueueTicket ticket, string queueId);

    /// <summary>The agent's measured wrap-up after the call, for its call record (once per agent; one-way, so agents never await calls).</summary>
    [OneWay, Alias("callcenter.call.notices.record-wrap-up")]
    Task RecordWrapUpAsync(string agentId, double seconds);

    /// <summary>
    /// An agent holding this call asks whether it still does (one-way, so agents never await calls). If the call ended
    /// or is with someone else (the agent's accept was lost with a silo, then the call was answered again), the call
    /// tells the agent to drop it.
    /// </summary>
    [OneWay, Alias("callcenter.call.notices.verify-held-by")]
    Task VerifyHeldByAsync(string agentId);

    [OneWay, Alias("callcenter.call.notices.offered")]
    Task OfferedAsync(OfferLease lease);

    [OneWay, Alias("callcenter.call.notices.offer-withdrawn")]
    Task OfferWithdrawnAsync(OfferLease lease, CallEventKind why);

    [OneWay, Alias("callcenter.call.notices.overflowed")]
    Task OverflowedAsync(OverflowNotice notice);

    /// <summary>Runs the call's timed check now (its edge's lease), as its timer does.</summary>
    [Alias("callcenter.call.notices.process-due-work")]
    Task ProcessDueWorkAsync();
}

/// <summary>What queues and calls ask of an agent (reservations, the calls it holds), and its timer hook.</summary>
[Alias("callcenter.agent.reservations")]
internal interface IAgentReservations : IGrainWithStringKey
{
    /// <summary>A queue asks to hold this agent for an offer; refused unless Available with free capacity.</summary>
    [Alias("callcenter.agent.reservations.try-reserve")]
    Task<bool> TryReserveAsync(OfferLease lease);

    /// <summary>The queue confirms the agent accepted: Reserved → Busy.</summary>
    [Alias("callcenter.agent.reservations.confirm-accept")]
    Task<CommandResult> ConfirmAcceptAsync(string callId, long epoch, double wrapUpSeconds);

    /// <summary>The queue takes the offer back; a missed offer (timeout or reject) makes the agent NotReady("missed offer").</summary>
    [Alias("callcenter.agent.reservations.release-offer")]
    Task ReleaseOfferAsync(string callId, long epoch, bool missed);

    /// <summary>The queue takes the offer back for <paramref name="outcome"/>; only an outcome that charges the agent makes it NotReady("missed offer").</summary>
    [Alias("callcenter.agent.reservations.release-offer-for")]
    Task ReleaseOfferForAsync(string callId, long epoch, OfferOutcome outcome);

    /// <summary>
    /// The agent accepted an offer that was gone when the accept arrived: if that offer's expiry charged the agent (a
    /// missed offer), the charge is taken back and the agent, still NotReady for it, is Available again.
    /// </summary>
    [Alias("callcenter.agent.reservations.late-accept")]
    Task LateAcceptAsync(string callId, long epoch);

    /// <summary>
    /// The call the agent held ended (or was transferred away): Busy → WrapUp. When the wrap-up ends the agent reports
    /// the handled call (talk plus wrap-up) to the call's queue, for its handle-time figures.
    /// </summary>
    [Alias("callcenter.agent.reservations.call-ended")]
    Task CallEndedAsync(string callId, double talkSeconds, string siteId);

    /// <summary>
    /// The call says it is not with this agent (it ended, or went to another agent): the agent forgets it without a
    /// wrap-up, and is free again if it holds no other call.
    /// </summary>
    [Alias("callcenter.agent.reservations.drop-call")]
    Task DropCallAsync(string callId);

    /// <summary>Ends wrap-up when due by the contact-center clock and re-announces availability. Idempotent; the grain's timer calls it.</summary>
    [Alias("callcenter.agent.reservations.process-due-work")]
    Task ProcessDueWorkAsync();
}

/// <summary>What calls and agents tell a queue (tickets, offers, availability, handled calls), and its timer hook.</summary>
[Alias("callcenter.queue.routing")]
internal interface IQueueRouting : IGrainWithStringKey
{
    [Alias("callcenter.queue.routing.enqueue")]
    Task<EnqueueResult> EnqueueAsync(QueueTicket ticket);

    /// <summary>The call left (hang-up, transfer): withdraws any offer. Returns false if the call was not here.</summary>
    [Alias("callcenter.queue.routing.remove")]
    Task<bool> RemoveAsync(string callId, CallEventKind why);

    [Alias("callcenter.queue.routing.confirm-accept")]
    Task<CommandResult> ConfirmAcceptAsync(string callId, string agentId, long epoch);

    [Alias("callcenter.queue.routing.reject-offer")]
    Task<CommandResult> RejectOfferAsync(string callId, string agentId, long epoch);

    /// <summary>The offer failed for <paramref name="outcome"/>; one the agent is not to blame for passes the call to another agent.</summary>
    [Alias("callcenter.queue.routing.fail-offer")]
    Task<CommandResult> FailOfferAsync(string callId, string agentId, long epoch, OfferOutcome outcome);

    /// <summary>The agent's phone rings for the offer: its expiry now means it was not answered.</summary>
    [Alias("callcenter.queue.routing.offer-ringing")]
    Task MarkOfferRingingAsync(string callId, string agentId, long epoch);

    /// <summary>The agent gave the offer back (logged out or went NotReady while reserved): the call returns to its place.</summary>
    [OneWay, Alias("callcenter.queue.routing.return-offer")]
    Task ReturnOfferAsync(string callId, string agentId, long epoch);

    [Alias("callcenter.queue.routing.contains")]
    Task<bool> ContainsAsync(string callId);

    [OneWay, Alias("callcenter.queue.routing.agent-available")]
    Task AgentAvailableAsync(AgentAvailability agent);

    [OneWay, Alias("callcenter.queue.routing.agent-unavailable")]
    Task AgentUnavailableAsync(string agentId, long presenceVersion);

    [OneWay, Alias("callcenter.queue.routing.record-handled")]
    Task RecordHandledAsync(HandledCall call);

    /// <summary>The call's position (1 = next) and expected wait; null when the call is not waiting here.</summary>
    [Alias("callcenter.queue.routing.get-place")]
    Task<QueuePlace?> GetPlaceAsync(string callId);

    /// <summary>The caller asked to be called back: a callback takes the call's place (same enqueue time and priority).</summary>
    [Alias("callcenter.queue.routing.convert-to-callback")]
    Task<bool> ConvertToCallbackAsync(string callId);

    /// <summary>Expires leases, applies overflow and widened bullseye stages that are due by the contact-center clock, then matches. Idempotent; the grain's timer calls it.</summary>
    [Alias("callcenter.queue.routing.process-due-work")]
    Task ProcessDueWorkAsync();
}

/// <summary>What agents tell their site.</summary>
[Alias("callcenter.site.presence")]
internal interface ISitePresence : IGrainWithStringKey
{
    /// <summary>An agent's presence changed; <paramref name="presenceVersion"/> orders the notices (one-way, they may overtake each other).</summary>
    [OneWay, Alias("callcenter.site.presence.agent-presence-changed")]
    Task AgentPresenceChangedAsync(string agentId, long presenceVersion, PresenceState state, double handlingSeconds, double availableSeconds);
}

/// <summary>What queues tell the routing view.</summary>
[Alias("callcenter.routing-view.reports")]
internal interface IRoutingViewReports : IGrainWithStringKey
{
    [OneWay, Alias("callcenter.routing-view.reports.report")]
    Task ReportAsync(string queueId, IReadOnlyList<QueueSiteStatus> sites);
}

/// <summary>Grain-to-grain shortcuts to the internal interfaces, so call sites read like the public ones.</summary>
internal static class InternalGrains
{
    public static ICallNotices CallNotices(this IGrainFactory grains, string callId) => grains.GetGrain<ICallNotices>(callId);

    public static IAgentReservations AgentReservations(this IGrainFactory grains, string agentId) => grains.GetGrain<IAgentReservations>(agentId);

    public static IQueueRouting QueueRouting(this IGrainFactory grains, string queueId) => grains.GetGrain<IQueueRouting>(queueId);
}
