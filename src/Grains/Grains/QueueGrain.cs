using CallCenter.Grains.Metrics;
using CallCenter.Grains.Routing;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Grains;

/// <summary>A waiting call and, while it is offered, the lease of its offer.</summary>
[GenerateSerializer, Alias("WaitingEntry")]
public sealed class WaitingEntry
{
    [Id(0)] public required QueueTicket Ticket { get; set; }
    [Id(1)] public OfferLease? Offer { get; set; }
}

[GenerateSerializer, Alias("QueueGrainState")]
public sealed class QueueGrainState
{
    [Id(0)] public QueueDefinition? Definition { get; set; }
    [Id(1)] public List<WaitingEntry> Waiting { get; set; } = [];
    [Id(2)] public long NextEpoch { get; set; }
    [Id(3)] public string? RoundRobinCursor { get; set; }
}

/// <summary>
/// One virtual queue for every site. Waiting calls and offer leases are written before anyone is told of them;
/// the idle-agent list is soft state that agents keep fresh with their notices. It awaits agents only, never calls.
/// </summary>
[GrainType("queue")]
internal sealed partial class QueueGrain(
    [PersistentState("queue", StorageNames.State)] IPersistentState<QueueGrainState> state,
    [FromKeyedServices(ContactCenterClock.ServiceKey)] TimeProvider clock,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, AgentAvailability> _idle = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _agentVersions = new(StringComparer.Ordinal);
    private readonly QueueStatistics _statistics = new(20);
    private long _lastReportTicks;

    private QueueGrainState S => state.State;

    private string QueueId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Definition is { } definition)
        {
            _statistics.ThresholdSeconds = definition.ServiceLevelThresholdSeconds;
        }

        this.RegisterGrainTimer(ProcessDueWorkAsync, TickEvery, TickEvery);
        return Task.CompletedTask;
    }

    public async Task ConfigureAsync(QueueDefinition definition)
    {
        S.Definition = definition;
        _statistics.ThresholdSeconds = definition.ServiceLevelThresholdSeconds;
        await state.WriteStateAsync();
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
        await state.WriteStateAsync();
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

        await state.WriteStateAsync();
        if (entry.Offer is { } offer)
        {
            // The caller left while the agent was being offered the call: not the agent's fault.
            await AgentOf(offer).ReleaseOfferAsync(callId, offer.Epoch, missed: false);
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

        if (Now > offer.ExpiresAt)
        {
            await ExpireAsync(entry, offer);
            await state.WriteStateAsync();
            return CommandResult.Stale($"the offer of call '{callId}' expired at {offer.ExpiresAt:O}");
        }

        var confirmed = await AgentOf(offer).ConfirmAcceptAsync(callId, epoch, S.Definition?.WrapUpSeconds ?? 0);
        if (!confirmed.Succeeded)
        {
            entry.Offer = null;
            await state.WriteStateAsync();
            await MatchAsync();
            return confirmed;
        }

        S.Waiting.Remove(entry);
        _statistics.Answered(entry.Ticket.SiteId, WaitedSeconds(entry.Ticket), Now);
        await state.WriteStateAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> RejectOfferAsync(string callId, string agentId, long epoch)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry?.Offer is not { } offer || offer.AgentId != agentId || offer.Epoch != epoch)
        {
            return CommandResult.Stale($"call '{callId}' has no offer to agent '{agentId}' with epoch {epoch} in queue '{QueueId}'");
        }

        entry.Offer = null;
        await state.WriteStateAsync();
        await AgentOf(offer).ReleaseOfferAsync(callId, epoch, missed: true);
        await MatchAsync();
        return CommandResult.Ok;
    }

    public async Task ReturnOfferAsync(string callId, string agentId, long epoch)
    {
        var entry = S.Waiting.Find(candidate => candidate.Ticket.CallId == callId);
        if (entry?.Offer is not { } offer || offer.AgentId != agentId || offer.Epoch != epoch)
        {
            return;
        }

        entry.Offer = null;
        _idle.Remove(agentId);
        await state.WriteStateAsync();
        NotifyCall(callId).OfferWithdrawnAsync(offer, CallEventKind.OfferRejected).Ignore();
        await MatchAsync();
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

    public async Task ProcessDueWorkAsync()
    {
        if (S.Definition is not { } definition)
        {
            return;
        }

        var now = Now;
        var changed = false;
        foreach (var entry in S.Waiting.ToList())
        {
            if (entry.Offer is { } offer && now > offer.ExpiresAt)
            {
                await ExpireAsync(entry, offer);
                changed = true;
            }
        }

        foreach (var entry in S.Waiting.ToList())
        {
            if (entry.Offer is null && OverflowPolicy.IsDue(definition, entry.Ticket, now))
            {
                ApplyOverflow(entry, definition.Overflow!);
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }

        await MatchAsync();
        ReportToRoutingView();
    }

    public Task<QueueStatus> GetStatusAsync()
    {
        var now = Now;
        var definition = S.Definition;
        var waiting = definition is null
            ? []
            : CallOrdering.Order(definition, S.Waiting.Select(entry => entry.Ticket), now)
                .Select(ticket => Describe(definition, S.Waiting.First(entry => entry.Ticket.CallId == ticket.CallId), now))
                .ToList();
        var sites = SiteStatuses(now);
        return Task.FromResult(new QueueStatus
        {
            QueueId = QueueId,
            Definition = definition,
            Waiting = waiting,
            IdleAgents = _idle.Count,
            IdleAgentIds = _idle.Keys.Order(StringComparer.Ordinal).ToList(),
            Sites = sites,
            Totals = _statistics.Metrics(QueueId, null, S.Waiting.Count, LongestWait(null, now)),
            BySite = _statistics.Sites.Select(site => _statistics.Metrics(QueueId, site, S.Waiting.Count(e => e.Ticket.SiteId == site), LongestWait(site, now))).ToList(),
        });
    }

    /// <summary>Offers waiting calls to idle agents until no proposal is left; each offer is written before the call is told.</summary>
    private async Task MatchAsync()
    {
        if (S.Definition is not { } definition || _idle.Count == 0 || S.Waiting.Count == 0)
        {
            return;
        }

        var offered = new List<OfferLease>();
        try
        {
            for (var round = 0; round < 8; round++)
            {
                var now = Now;
                var proposals = Matcher.Propose(
                    definition,
                    S.Waiting.Where(entry => entry.Offer is null).Select(entry => entry.Ticket),
                    _idle.Values,
                    now,
                    S.RoundRobinCursor);
                if (proposals.Count == 0)
                {
                    break;
                }

                var refused = false;
                foreach (var match in proposals)
                {
                    _idle.Remove(match.Agent.AgentId);
                    var lease = new OfferLease
                    {
                        CallId = match.Call.CallId,
                        QueueId = QueueId,
                        AgentId = match.Agent.AgentId,
                        Epoch = ++S.NextEpoch,
                        ExpiresAt = now.AddSeconds(definition.AcceptTimeoutSeconds),
                        Channel = definition.Channel,
                        WaitedSeconds = WaitedSeconds(match.Call),
                        TenantId = match.Call.TenantId,
                    };
                    if (!await TryReserveAsync(lease))
                    {
                        refused = true;
                        continue;
                    }

                    S.Waiting.First(entry => entry.Ticket.CallId == lease.CallId).Offer = lease;
                    if (definition.Strategy == RoutingStrategy.RoundRobin)
                    {
                        S.RoundRobinCursor = lease.AgentId;
                    }

                    offered.Add(lease);
                }

                if (!refused)
                {
                    break;
                }
            }

            if (offered.Count > 0)
            {
                await state.WriteStateAsync();
            }
        }
        catch
        {
            // The offers could not be written: free the agents, so nobody stays reserved for an offer nobody knows.
            foreach (var lease in offered)
            {
                S.Waiting.Find(entry => entry.Ticket.CallId == lease.CallId)?.Offer = null;
                await AgentOf(lease).ReleaseOfferAsync(lease.CallId, lease.Epoch, missed: false);
            }

            throw;
        }

        foreach (var lease in offered)
        {
            NotifyCall(lease.CallId).OfferedAsync(lease).Ignore();
        }
    }

    private async Task<bool> TryReserveAsync(OfferLease lease)
    {
        try
        {
            return await AgentOf(lease).TryReserveAsync(lease);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogReserveFailed(exception, lease.AgentId, lease.CallId);
            return false;
        }
    }

    private async Task ExpireAsync(WaitingEntry entry, OfferLease offer)
    {
        entry.Offer = null;
        await AgentOf(offer).ReleaseOfferAsync(offer.CallId, offer.Epoch, missed: true);
        NotifyCall(offer.CallId).OfferWithdrawnAsync(offer, CallEventKind.OfferExpired).Ignore();
    }

    private void ApplyOverflow(WaitingEntry entry, OverflowAction action)
    {
        var ticket = entry.Ticket;
        string? callbackId = null;
        if (action.Kind == OverflowKind.Callback)
        {
            // The callback takes the caller's place: same enqueue time, same priority.
            callbackId = OverflowPolicy.CallbackCallId(ticket.CallId);
            entry.Ticket = ticket with { CallId = callbackId, IsCallback = true };
        }
        else
        {
            S.Waiting.Remove(entry);
        }

        _statistics.Overflowed(ticket.SiteId);
        LogOverflow(ticket.CallId, QueueId, action.Kind);
        NotifyCall(ticket.CallId).OverflowedAsync(new OverflowNotice
        {
            FromQueueId = QueueId,
            Action = action,
            Ticket = ticket,
            CallbackCallId = callbackId,
        }).Ignore();
    }

    private void ReportToRoutingView()
    {
        var nowTicks = Environment.TickCount64;
        if (nowTicks - _lastReportTicks < ReportEvery.TotalMilliseconds)
        {
            return;
        }

        _lastReportTicks = nowTicks;
        GrainFactory.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).ReportAsync(QueueId, SiteStatuses(Now)).Ignore();
    }

    private List<QueueSiteStatus> SiteStatuses(DateTimeOffset now)
    {
        if (S.Definition is not { } definition)
        {
            return [];
        }

        var sites = new SortedSet<string>(StringComparer.Ordinal);
        sites.UnionWith(S.Waiting.Select(entry => entry.Ticket.SiteId));
        sites.UnionWith(_idle.Values.Select(agent => agent.SiteId));
        sites.UnionWith(_statistics.Sites);
        var totals = _statistics.Metrics(QueueId, null, S.Waiting.Count, 0);
        var servingAgents = Math.Max(_idle.Count, S.Waiting.Count(entry => entry.Offer is not null));
        return sites.Select(site =>
        {
            var waiting = S.Waiting.Count(entry => entry.Ticket.SiteId == site);
            var idleHere = _idle.Values.Count(agent => agent.SiteId == site && Eligibility.HasSkills(definition.RequiredSkills, agent));
            return new QueueSiteStatus
            {
                QueueId = QueueId,
                SiteId = site,
                TenantId = definition.TenantId,
                Waiting = waiting,
                LongestWaitSeconds = LongestWait(site, now),
                IdleEligibleAgents = idleHere,
                ExpectedWaitSeconds = ExpectedWait.Seconds(S.Waiting.Count, servingAgents, totals.AverageHandleTimeSeconds, _idle.Count),
                ServiceLevel = _statistics.RecentServiceLevel(site, now),
            };
        }).ToList();
    }

    private WaitingCallInfo Describe(QueueDefinition definition, WaitingEntry entry, DateTimeOffset now) => new()
    {
        CallId = entry.Ticket.CallId,
        SiteId = entry.Ticket.SiteId,
        EnqueuedAt = entry.Ticket.EnqueuedAt,
        EffectivePriority = CallOrdering.EffectivePriority(definition, entry.Ticket, now),
        Stage = Bullseye.StageIndex(definition, WaitedSeconds(entry.Ticket)),
        OfferedToAgentId = entry.Offer?.AgentId,
        OfferEpoch = entry.Offer?.Epoch,
        IsCallback = entry.Ticket.IsCallback,
    };

    private double LongestWait(string? site, DateTimeOffset now) =>
        S.Waiting.Where(entry => site is null || entry.Ticket.SiteId == site)
            .Select(entry => (now - entry.Ticket.EnqueuedAt).TotalSeconds)
            .DefaultIfEmpty(0)
            .Max();

    private int Position(string callId)
    {
        if (S.Definition is not { } definition)
        {
            return 0;
        }

        var ordered = CallOrdering.Order(definition, S.Waiting.Select(entry => entry.Ticket), Now);
        return ordered.FindIndex(ticket => ticket.CallId == callId) + 1;
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

    private IAgentGrain AgentOf(OfferLease lease) => GrainFactory.GetGrain<IAgentGrain>(lease.AgentId);

    private ICallGrain NotifyCall(string callId) => GrainFactory.GetGrain<ICallGrain>(callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reserving agent {AgentId} for call {CallId} failed")]
    private partial void LogReserveFailed(Exception exception, string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} overflowed from queue {QueueId}: {Kind}")]
    private partial void LogOverflow(string callId, string queueId, OverflowKind kind);
}
