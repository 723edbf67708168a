using CallCenter.Domain;
using CallCenter.Domain.Metrics;
using CallCenter.Domain.Routing;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Grains.Persistence;
using CallCenter.Grains.Telemetry;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace CallCenter.Grains.Grains;

/// <summary>
/// One virtual queue for every site. It is reentrant so that waiting on agents and storage never stalls routing:
/// every change to its state happens synchronously between awaits (an offer is marked before the agent is asked),
/// and writes are coalesced. Waiting calls are written before a caller is told they are queued, answered or gone;
/// offer leases and the idle-agent list are soft state (a lost lease expires and the agent frees itself).
/// It awaits agents only, never calls. Routing decisions are plain classes (<see cref="Matcher"/>, <see cref="OverflowPolicy"/>,
/// <see cref="QueueStatistics"/>); the grain is split by concern: <c>QueueGrain.Matching.cs</c>, <c>QueueGrain.Reporting.cs</c>.
/// </summary>
[Reentrant, GrainType("queue")]
internal sealed partial class QueueGrain(
    [PersistentState("queue", StorageNames.State)] IPersistentState<QueueGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    TimeProvider runtimeClock,
    CallCenterMetrics metrics,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain, IQueueRouting
{
    /// <summary>How many agents a call remembers as passed over (their device failed it), newest kept.</summary>
    private const int MaxPassedOver = 8;

    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, AgentAvailability> _idle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _agentVersions = new(StringComparer.Ordinal);
    private readonly QueueStatistics _statistics = new(20);
    private CoalescingWriter? _writer;
    /// <summary>When the routing view was last told (by the runtime's clock: a throttle, not business time); 0 = never.</summary>
    private long _lastReportTimestamp;

    private QueueGrainState S => state.State;

    private string QueueId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    private CoalescingWriter Writer => _writer ??= new CoalescingWriter(state.WriteStateAsync);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Definition is { } definition)
        {
            _statistics.ThresholdSeconds = definition.ServiceLevelThresholdSeconds;
        }

        // Leases are not written: after a restart, epochs start above any lease an earlier activation handed out.
        S.NextEpoch = Math.Max(S.NextEpoch, Now.UtcTicks);
        foreach (var entry in S.Waiting)
        {
            entry.Offer = null;
            entry.OfferRinging = false;
        }

        this.RegisterGrainTimer(ProcessDueWorkAsync, TickEvery, TickEvery);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.ForgetQueue(QueueId);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task ConfigureAsync(QueueDefinition definition)
    {
        S.Definition = definition;
        _statistics.ThresholdSeconds = definition.ServiceLevelThresholdSeconds;
        await Writer.WriteAsync();
        await MatchAsync();
    }

    public async Task<EnqueueResult> EnqueueAsync(QueueTicket ticket)
    {
        if (S.Definition is not { } definition)
        {
            return new EnqueueResult(EnqueueStatus.UnknownQueue, Message: $"queue '{QueueId}' is not configured");
        }

        if (!string.Equals(ticket.TenantId, definition.TenantId, StringComparison.Ordinal))
        {
            return new EnqueueResult(EnqueueStatus.Refused, Message: $"queue '{QueueId}' belongs to another tenant");
        }

        var existing = S.Waiting.FindIndex(entry => entry.Ticket.CallId == ticket.CallId);
        if (existing >= 0)
        {
            return new EnqueueResult(EnqueueStatus.AlreadyQueued, existing + 1);
        }

        if (S.Waiting.Count >= definition.MaxQueueLength)
        {
            return new EnqueueResult(EnqueueStatus.QueueFull, Message: $"queue '{QueueId}' holds its maximum of {definition.MaxQueueLength} calls");
        }

        S.Waiting.Add(new WaitingEntry { Ticket = ticket.EnteredThisQueueAt is null ? ticket with { EnteredThisQueueAt = Now } : ticket });
        _statistics.Offered(ticket.SiteId);
        await Writer.WriteAsync();
        await MatchAsync();
        return new EnqueueResult(EnqueueStatus.Queued, Position(ticket.CallId));
    }

    public async Task<bool> RemoveAsync(string callId, CallEventKind why)
    {
        var index = S.Waiting.FindIndex(entry => entry.Ticket.CallId == callId);
        if (index < 0)
        {
            return false;
        }

        var entry = S.Waiting[index];
        S.Waiting.RemoveAt(index);
        if (why == CallEventKind.Ended)
        {
            _statistics.Abandoned(entry.Ticket.SiteId, WaitedSeconds(entry.Ticket), Now);
        }

        var offer = entry.Offer;
        entry.Offer = null;
        await Writer.WriteAsync();
        if (offer is not null)
        {
            // The caller left while the agent was being offered the call: not the agent's fault.
            await AgentOf(offer).ReleaseOfferForAsync(callId, offer.Epoch, OfferOutcome.Withdrawn);
        }

        return true;
    }

    public async Task<CommandResult> ConfirmAcceptAsync(string callId, string agentId, long epoch)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry?.Offer is not { } offer || offer.AgentId != agentId || offer.Epoch != epoch)
        {
            return CommandResult.Stale($"call '{callId}' has no offer to agent '{agentId}' with epoch {epoch} in queue '{QueueId}'");
        }

        // An accept of an offer still held connects, even past the offer's lease: the agent answered (a click just after
        // it, or a phone's answer held up on a frozen silo), the agent is still reserved and nobody else has the call.
        // Taken out before the agent is asked, so no expiry or second offer can touch it meanwhile.
        S.Waiting.Remove(entry);
        var confirmed = await AgentOf(offer).ConfirmAcceptAsync(callId, epoch, S.Definition?.WrapUpSeconds ?? 0);
        if (!confirmed.Succeeded)
        {
            ClearOffer(entry, OfferOutcome.Withdrawn);
            S.Waiting.Add(entry);
            await MatchAsync();
            return confirmed;
        }

        _statistics.Answered(entry.Ticket.SiteId, WaitedSeconds(entry.Ticket), Now);
        await Writer.WriteAsync();
        return CommandResult.Ok;
    }

    public Task<CommandResult> RejectOfferAsync(string callId, string agentId, long epoch) => FailOfferAsync(callId, agentId, epoch, OfferOutcome.Declined);

    public async Task<CommandResult> FailOfferAsync(string callId, string agentId, long epoch, OfferOutcome outcome)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry?.Offer is not { } offer || offer.AgentId != agentId || offer.Epoch != epoch)
        {
            return CommandResult.Stale($"call '{callId}' has no offer to agent '{agentId}' with epoch {epoch} in queue '{QueueId}'");
        }

        ClearOffer(entry, outcome);
        await AgentOf(offer).ReleaseOfferForAsync(callId, epoch, outcome);
        await MatchAsync();
        return CommandResult.Ok;
    }

    public Task MarkOfferRingingAsync(string callId, string agentId, long epoch)
    {
        if (S.Waiting.Find(candidate => candidate.Ticket.CallId == callId) is { Offer: { } offer } entry && offer.AgentId == agentId && offer.Epoch == epoch)
        {
            entry.OfferRinging = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes the offer off its call; an agent whose device or platform failed it is passed over for this call (the call goes to another agent first).</summary>
    private static void ClearOffer(WaitingEntry entry, OfferOutcome outcome)
    {
        if (entry.Offer is { } offer && outcome is OfferOutcome.DeviceUnreachable or OfferOutcome.InfrastructureFault && !entry.PassedOver.Contains(offer.AgentId))
        {
            if (entry.PassedOver.Count >= MaxPassedOver)
            {
                entry.PassedOver.RemoveAt(0);
            }

            entry.PassedOver.Add(offer.AgentId);
        }

        entry.Offer = null;
        entry.OfferRinging = false;
    }

    public async Task ReturnOfferAsync(string callId, string agentId, long epoch)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry?.Offer is not { } offer || offer.AgentId != agentId || offer.Epoch != epoch)
        {
            return;
        }

        ClearOffer(entry, OfferOutcome.Withdrawn);
        _idle.Remove(agentId);
        NotifyCall(callId).OfferWithdrawnAsync(offer, CallEventKind.OfferRejected).Forget(logger, "an offer withdrawal to a call");
        await MatchAsync();
    }

    public async Task<bool> ConvertToCallbackAsync(string callId)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry is null)
        {
            return false;
        }

        // The callback takes the caller's place: same enqueue time, same priority.
        var offer = entry.Offer;
        ClearOffer(entry, OfferOutcome.Withdrawn);
        entry.Ticket = entry.Ticket with { CallId = OverflowPolicy.CallbackCallId(callId), IsCallback = true };
        await Writer.WriteAsync();
        if (offer is not null)
        {
            await AgentOf(offer).ReleaseOfferForAsync(callId, offer.Epoch, OfferOutcome.Withdrawn);
        }

        return true;
    }

    public Task<bool> ContainsAsync(string callId) => Task.FromResult(S.Waiting.Exists(entry => entry.Ticket.CallId == callId));

    public async Task AgentAvailableAsync(AgentAvailability agent)
    {
        if (!IsNewer(agent.AgentId, agent.PresenceVersion))
        {
            return;
        }

        _idle[agent.AgentId] = agent;
        await MatchAsync();
    }

    public Task AgentUnavailableAsync(string agentId, long presenceVersion)
    {
        if (IsNewer(agentId, presenceVersion))
        {
            _idle.Remove(agentId);
        }

        return Task.CompletedTask;
    }

    public Task RecordHandledAsync(HandledCall call)
    {
        _statistics.Handled(call.SiteId, call.TalkSeconds, call.WrapUpSeconds);
        return Task.CompletedTask;
    }

    private double WaitedSeconds(QueueTicket ticket) => Math.Max(0, (Now - ticket.EnqueuedAt).TotalSeconds);

    private bool IsNewer(string agentId, long version)
    {
        if (_agentVersions.TryGetValue(agentId, out var known) && known > version)
        {
            return false;
        }

        _agentVersions[agentId] = version;
        return true;
    }

    private IAgentReservations AgentOf(OfferLease lease) => GrainFactory.AgentReservations(lease.AgentId);

    private ICallNotices NotifyCall(string callId) => GrainFactory.CallNotices(callId);
}
