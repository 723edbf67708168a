using CallCenter.Grains.Metrics;
using CallCenter.Grains.Telemetry;
using CallCenter.Grains.Persistence;
using CallCenter.Grains.Routing;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

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
/// One virtual queue for every site. It is reentrant so that waiting on agents and storage never stalls routing:
/// every change to its state happens synchronously between awaits (an offer is marked before the agent is asked),
/// and writes are coalesced. Waiting calls are written before a caller is told they are queued, answered or gone;
/// offer leases and the idle-agent list are soft state (a lost lease expires and the agent frees itself).
/// It awaits agents only, never calls.
/// </summary>
[Reentrant, GrainType("queue")]
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
    private CoalescingWriter? _writer;
    private long _lastReportTicks;

    private QueueGrainState S => state.State;

    private string QueueId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => clock.GetUtcNow();

    private CoalescingWriter Writer => _writer ??= new CoalescingWriter(state.WriteStateAsync);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        CallCenterMetrics.ForgetQueue(QueueId);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

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
        }

        this.RegisterGrainTimer(ProcessDueWorkAsync, TickEvery, TickEvery);
        return Task.CompletedTask;
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
            return CommandResult.Stale($"the offer of call '{callId}' expired at {offer.ExpiresAt:O}");
        }

        // Taken out before the agent is asked, so no expiry or second offer can touch it meanwhile.
        S.Waiting.Remove(entry);
        var confirmed = await AgentOf(offer).ConfirmAcceptAsync(callId, epoch, S.Definition?.WrapUpSeconds ?? 0);
        if (!confirmed.Succeeded)
        {
            entry.Offer = null;
            S.Waiting.Add(entry);
            await MatchAsync();
            return confirmed;
        }

        _statistics.Answered(entry.Ticket.SiteId, WaitedSeconds(entry.Ticket), Now);
        await Writer.WriteAsync();
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
        NotifyCall(callId).OfferWithdrawnAsync(offer, CallEventKind.OfferRejected).Ignore();
        await MatchAsync();
    }

    public Task<QueuePlace?> GetPlaceAsync(string callId)
    {
        var position = Position(callId);
        if (position == 0)
        {
            return Task.FromResult<QueuePlace?>(null);
        }

        var totals = _statistics.Metrics(QueueId, null, S.Waiting.Count, 0);
        var servingAgents = Math.Max(_idle.Count, S.Waiting.Count(entry => entry.Offer is not null));
        var expected = ExpectedWait.Seconds(position - 1, servingAgents, totals.AverageHandleTimeSeconds, _idle.Count);
        return Task.FromResult<QueuePlace?>(new QueuePlace(position, expected));
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
        entry.Offer = null;
        entry.Ticket = entry.Ticket with { CallId = OverflowPolicy.CallbackCallId(callId), IsCallback = true };
        await Writer.WriteAsync();
        if (offer is not null)
        {
            await AgentOf(offer).ReleaseOfferAsync(callId, offer.Epoch, missed: false);
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

    public async Task ProcessDueWorkAsync()
    {
        if (S.Definition is not { } definition)
        {
            return;
        }

        var now = Now;
        var expiries = new List<Task>();
        foreach (var entry in S.Waiting)
        {
            if (entry.Offer is { } offer && now > offer.ExpiresAt)
            {
                expiries.Add(ExpireAsync(entry, offer));
            }
        }

        var overflowed = false;
        foreach (var entry in S.Waiting.ToList())
        {
            if (entry.Offer is null && OverflowPolicy.IsDue(definition, entry.Ticket, now))
            {
                ApplyOverflow(entry, definition.Overflow!);
                overflowed = true;
            }
        }

        await Task.WhenAll(expiries);
        if (overflowed)
        {
            await Writer.WriteAsync();
        }

        await MatchAsync();
        ReportToRoutingView();
    }

    public Task<QueueStatus> GetStatusAsync()
    {
        var now = Now;
        var definition = S.Definition;
        var waiting = new List<WaitingCallInfo>();
        if (definition is not null)
        {
            var ordered = S.Waiting.ToList();
            ordered.Sort((a, b) => CallOrdering.Compare(definition, a.Ticket, b.Ticket, now));
            waiting = ordered.ConvertAll(entry => Describe(definition, entry, now));
        }

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

    /// <summary>
    /// Offers waiting calls to idle agents until no proposal is left. Each offer is marked on its call and its agent taken
    /// off the idle list before the agent is asked, so interleaved turns never offer a call or an agent twice.
    /// </summary>
    private async Task MatchAsync()
    {
        for (var round = 0; round < 8; round++)
        {
            if (S.Definition is not { } definition || _idle.Count == 0 || S.Waiting.Count == 0)
            {
                return;
            }

            var now = Now;
            var proposals = Matcher.Propose(
                definition,
                S.Waiting.Where(entry => entry.Offer is null).Select(entry => entry.Ticket),
                _idle.Values,
                now,
                S.RoundRobinCursor);
            if (proposals.Count == 0)
            {
                return;
            }

            var offers = new List<(WaitingEntry Entry, OfferLease Lease)>(proposals.Count);
            foreach (var match in proposals)
            {
                _idle.Remove(match.Agent.AgentId);
                var entry = S.Waiting.First(candidate => candidate.Ticket.CallId == match.Call.CallId);
                entry.Offer = new OfferLease
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
                offers.Add((entry, entry.Offer));
                if (definition.Strategy == RoutingStrategy.RoundRobin)
                {
                    S.RoundRobinCursor = match.Agent.AgentId;
                }
            }

            var reserved = await Task.WhenAll(offers.Select(offer => TryReserveAsync(offer.Lease)));
            var refused = false;
            for (var i = 0; i < offers.Count; i++)
            {
                var (entry, lease) = offers[i];
                var stillOffered = ReferenceEquals(entry.Offer, lease) && S.Waiting.Contains(entry);
                if (!reserved[i])
                {
                    refused = true;
                    if (stillOffered)
                    {
                        entry.Offer = null;
                    }
                }
                else if (!stillOffered)
                {
                    // The call left (or the offer was taken back) while the agent was being asked.
                    await AgentOf(lease).ReleaseOfferAsync(lease.CallId, lease.Epoch, missed: false);
                }
                else
                {
                    CallCenterMetrics.Offered(lease.WaitedSeconds, QueueId, entry.Ticket.SiteId);
                    NotifyCall(lease.CallId).OfferedAsync(lease).Ignore();
                }
            }

            if (!refused)
            {
                return;
            }
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
        var statuses = SiteStatuses(Now);
        CallCenterMetrics.ReportServiceLevels(QueueId, statuses);
        GrainFactory.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).ReportAsync(QueueId, statuses).Ignore();
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

    /// <summary>1 + the calls served before this one (a count, not a sort: it runs on every enqueue).</summary>
    private int Position(string callId)
    {
        var mine = S.Waiting.Find(entry => entry.Ticket.CallId == callId)?.Ticket;
        if (S.Definition is not { } definition || mine is null)
        {
            return 0;
        }

        var now = Now;
        return 1 + S.Waiting.Count(entry => entry.Ticket.CallId != callId && CallOrdering.Compare(definition, entry.Ticket, mine, now) < 0);
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
