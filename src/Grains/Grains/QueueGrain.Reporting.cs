using CallCenter.Domain.Metrics;
using CallCenter.Domain.Routing;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Messaging;
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
        return Task.FromResult(position == 0 || Report() is not { } report ? null : report.Place(position));
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

    private List<QueueSiteStatus> SiteStatuses(DateTimeOffset now) => Report()?.SiteStatuses(now) ?? [];

    /// <summary>The figures of what the queue holds now; null while it is not configured.</summary>
    private QueueReport? Report() => S.Definition is { } definition
        ? new QueueReport(QueueId, definition, S.Waiting.ConvertAll(entry => entry.Ticket), S.Waiting.Count(entry => entry.Offer is not null), _idle.Values, _statistics)
        : null;

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

    private double LongestWait(string? site, DateTimeOffset now) => QueueReport.LongestWait(S.Waiting.Select(entry => entry.Ticket), site, now);

    private int Position(string callId)
    {
        var mine = S.Waiting.Find(entry => entry.Ticket.CallId == callId)?.Ticket;
        return S.Definition is { } definition && mine is not null
            ? QueueReport.Position(definition, S.Waiting.Select(entry => entry.Ticket), mine, Now)
            : 0;
    }
}
