using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
using CallCenter.Grains.Metrics;
using CallCenter.Grains.Routing;
using CallCenter.Model;

namespace CallCenter.Grains.Grains;

/// <summary>What the queue reports: its status, a caller's place and expected wait, and its per-site figures for the routing view and the service-level gauge.</summary>
internal sealed partial class QueueGrain
{
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

    private void ReportToRoutingView()
    {
        if (_lastReportTimestamp != 0 && runtimeClock.GetElapsedTime(_lastReportTimestamp) < ReportEvery)
        {
            return;
        }

        _lastReportTimestamp = runtimeClock.GetTimestamp();
        var statuses = SiteStatuses(Now);
        metrics.ReportServiceLevels(QueueId, statuses);
        GrainFactory.GetGrain<IRoutingViewReports>(GrainKeys.RoutingView).ReportAsync(QueueId, statuses).Forget(logger, "a report to the routing view");
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
}
