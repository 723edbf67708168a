using CallCenter.Domain.Routing;
using CallCenter.Model;

namespace CallCenter.Domain.Metrics;

/// <summary>
/// A queue's figures as it reports them (its sites for the routing view, a caller's place and expected wait), computed
/// from what the queue holds: waiting tickets, how many are being offered, its idle agents and its statistics.
/// </summary>
public sealed class QueueReport(
    string queueId,
    QueueDefinition definition,
    IReadOnlyCollection<QueueTicket> waiting,
    int offered,
    IReadOnlyCollection<AgentAvailability> idle,
    QueueStatistics statistics)
{
    /// <summary>Agents taken to serve the queue: the idle ones, or at least those being offered a call.</summary>
    private int ServingAgents => Math.Max(idle.Count, offered);

    public List<QueueSiteStatus> SiteStatuses(DateTimeOffset now)
    {
        var sites = new SortedSet<string>(StringComparer.Ordinal);
        sites.UnionWith(waiting.Select(ticket => ticket.SiteId));
        sites.UnionWith(idle.Select(agent => agent.SiteId));
        sites.UnionWith(statistics.Sites);
        var totals = statistics.Metrics(queueId, null, waiting.Count, 0);
        var expected = ExpectedWait.Seconds(waiting.Count, ServingAgents, totals.AverageHandleTimeSeconds, idle.Count);
        return sites.Select(site => new QueueSiteStatus
        {
            QueueId = queueId,
            SiteId = site,
            TenantId = definition.TenantId,
            Waiting = waiting.Count(ticket => ticket.SiteId == site),
            LongestWaitSeconds = LongestWait(waiting, site, now),
            IdleEligibleAgents = idle.Count(agent => agent.SiteId == site && Eligibility.HasSkills(definition.RequiredSkills, agent)),
            ExpectedWaitSeconds = expected,
            ServiceLevel = statistics.RecentServiceLevel(site, now),
        }).ToList();
    }

    /// <summary>The place of a call at <paramref name="position"/> (1 = next) and how long it should still wait.</summary>
    public QueuePlace Place(int position)
    {
        var totals = statistics.Metrics(queueId, null, waiting.Count, 0);
        return new QueuePlace(position, ExpectedWait.Seconds(position - 1, ServingAgents, totals.AverageHandleTimeSeconds, idle.Count));
    }

    /// <summary>Seconds the longest-waiting call (of <paramref name="site"/>, or of all sites) has waited since it first queued.</summary>
    public static double LongestWait(IEnumerable<QueueTicket> waiting, string? site, DateTimeOffset now) =>
        waiting.Where(ticket => site is null || ticket.SiteId == site)
            .Select(ticket => (now - ticket.EnqueuedAt).TotalSeconds)
            .DefaultIfEmpty(0)
            .Max();

    /// <summary>1 + the calls served before <paramref name="mine"/> (a count, not a sort: it runs on every enqueue).</summary>
    public static int Position(QueueDefinition definition, IEnumerable<QueueTicket> waiting, QueueTicket mine, DateTimeOffset now) =>
        1 + waiting.Count(ticket => ticket.CallId != mine.CallId && CallOrdering.Compare(definition, ticket, mine, now) < 0);
}
