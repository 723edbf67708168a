using CallCenter.Model;
using CallCenter.Web.Security;

namespace CallCenter.Web.Wallboard;

/// <summary>How a queue stands against its service-level target.</summary>
public enum QueueAlert
{
    /// <summary>Nothing measured yet, or at or above target with no call past the threshold.</summary>
    Ok = 0,
    /// <summary>At or above target so far, but a waiting call is already past the threshold (it will count against it).</summary>
    AtRisk = 1,
    /// <summary>Measured service level below the queue's target.</summary>
    Breaching = 2,
}

/// <summary>The service-level rule the wallboard colours queues by.</summary>
public static class ServiceLevelRule
{
    public static QueueAlert Evaluate(double? serviceLevel, double target, double longestWaitSeconds, double thresholdSeconds)
    {
        if (serviceLevel is { } measured && measured < target)
        {
            return QueueAlert.Breaching;
        }

        return longestWaitSeconds > thresholdSeconds ? QueueAlert.AtRisk : QueueAlert.Ok;
    }

    /// <summary>Abandoned over calls that left the queue (answered plus abandoned), in percent; null before any.</summary>
    public static double? AbandonedPercent(int answered, int abandoned) =>
        answered + abandoned == 0 ? null : 100.0 * abandoned / (answered + abandoned);
}

public sealed record QueueTile
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string TenantId { get; init; }
    public int Waiting { get; init; }
    public double LongestWaitSeconds { get; init; }
    public double? ServiceLevel { get; init; }
    public double ServiceLevelTarget { get; init; }
    public double ServiceLevelThresholdSeconds { get; init; }
    public double? AverageSpeedOfAnswerSeconds { get; init; }
    public double? AbandonedPercent { get; init; }
    public int Offered { get; init; }
    public int Answered { get; init; }
    public int Abandoned { get; init; }
    public int IdleAgents { get; init; }
    public QueueAlert Alert { get; init; }
}

public sealed record SiteTile
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyDictionary<string, int> AgentsByState { get; init; }
    public int LoggedIn { get; init; }
    public double? Occupancy { get; init; }
    public int Waiting { get; init; }

    /// <summary>"ok", "busy" (calls wait and nobody is available) or "down" (no agent logged in).</summary>
    public required string Health { get; init; }
}

public sealed record AgentRow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string SiteId { get; init; }
    public required string State { get; init; }
    public string? ReasonCode { get; init; }
    public IReadOnlyList<SkillLevel> Skills { get; init; } = [];
}

/// <summary>One second of the wallboard: what the page draws, already filtered to the viewer's tenant.</summary>
public sealed record WallboardSnapshot
{
    public DateTimeOffset At { get; init; }
    public required string Viewer { get; init; }
    public IReadOnlyList<QueueTile> Queues { get; init; } = [];
    public IReadOnlyList<SiteTile> Sites { get; init; } = [];
    public IReadOnlyList<AgentRow> Agents { get; init; } = [];
    public IReadOnlyList<QueueSiteStatus> Routing { get; init; } = [];
    public double RoutingViewAgeSeconds { get; init; }
}

/// <summary>Builds a <see cref="WallboardSnapshot"/> from grain states; no Orleans in it.</summary>
public static class WallboardSnapshotBuilder
{
    public static IReadOnlyList<string> States { get; } = Enum.GetNames<PresenceState>();

    public static WallboardSnapshot Build(
        Principal viewer,
        ContactCenterConfiguration configuration,
        IEnumerable<QueueStatus> queues,
        IEnumerable<SiteStatus> sites,
        IEnumerable<AgentStatus> agents,
        RoutingViewSnapshot routing,
        DateTimeOffset now)
    {
        bool Visible(string tenantId) => AccessPolicy.SeesTenant(viewer, tenantId);

        var queueTiles = queues
            .Where(q => q.Definition is { } d && Visible(d.TenantId))
            .Select(q => ToTile(q, q.Definition!, now))
            .OrderBy(q => q.Id, StringComparer.Ordinal)
            .ToList();
        var routingRows = routing.Queues.Where(r => Visible(r.TenantId)).OrderBy(r => r.QueueId, StringComparer.Ordinal).ThenBy(r => r.SiteId, StringComparer.Ordinal).ToList();
        var siteStatuses = sites.ToDictionary(s => s.SiteId);
        // Only the viewer's tenants' agents, in the rows and in the sites' counts alike.
        var agentList = agents.Where(a => a.Definition is { } definition && Visible(definition.TenantId)).ToList();
        var siteTiles = configuration.Sites
            .Where(s => Visible(s.TenantId))
            .Select(site =>
            {
                var status = siteStatuses.GetValueOrDefault(site.Id);
                // Counted from the agents themselves: the site grain hears only agents that changed state since it started
                // (an agent never logged in is not in its figures).
                var byState = States.ToDictionary(name => name, name => agentList.Count(a => a.Definition!.SiteId == site.Id && a.Presence.State.ToString() == name));
                var loggedIn = byState.Where(p => p.Key != nameof(PresenceState.LoggedOut)).Sum(p => p.Value);
                var waiting = routingRows.Where(r => r.SiteId == site.Id).Sum(r => r.Waiting);
                return new SiteTile
                {
                    Id = site.Id,
                    Name = site.Name,
                    AgentsByState = byState,
                    LoggedIn = loggedIn,
                    Occupancy = status?.Occupancy,
                    Waiting = waiting,
                    Health = SiteHealth(loggedIn, byState[nameof(PresenceState.Available)], waiting),
                };
            })
            .ToList();
        var agentRows = agentList
            .Select(a => new AgentRow
            {
                Id = a.AgentId,
                Name = a.Definition!.Name,
                SiteId = a.Definition.SiteId,
                State = a.Presence.State.ToString(),
                ReasonCode = a.Presence.ReasonCode,
                Skills = a.Definition.Skills,
            })
            .OrderBy(a => a.SiteId, StringComparer.Ordinal).ThenBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        return new WallboardSnapshot
        {
            At = now,
            Viewer = viewer.UserId,
            Queues = queueTiles,
            Sites = siteTiles,
            Agents = agentRows,
            Routing = routingRows,
            RoutingViewAgeSeconds = routing.UpdatedAt == default ? 0 : Math.Max(0, (now - routing.UpdatedAt).TotalSeconds),
        };
    }

    public static string SiteHealth(int loggedIn, int available, int waiting) =>
        loggedIn == 0 ? "down" : available == 0 && waiting > 0 ? "busy" : "ok";

    private static QueueTile ToTile(QueueStatus status, QueueDefinition definition, DateTimeOffset now)
    {
        var totals = status.Totals;
        // The longest wait of the calls waiting now (the metrics' figure is the longest since the queue started).
        var longest = status.Waiting.Select(w => Math.Max(0, (now - w.EnqueuedAt).TotalSeconds)).DefaultIfEmpty(0).Max();
        return new QueueTile
        {
            Id = definition.Id,
            Name = definition.Name,
            TenantId = definition.TenantId,
            Waiting = status.Waiting.Count,
            LongestWaitSeconds = longest,
            ServiceLevel = totals.ServiceLevel,
            ServiceLevelTarget = definition.ServiceLevelTarget,
            ServiceLevelThresholdSeconds = definition.ServiceLevelThresholdSeconds,
            AverageSpeedOfAnswerSeconds = totals.AverageSpeedOfAnswerSeconds,
            AbandonedPercent = ServiceLevelRule.AbandonedPercent(totals.Answered, totals.Abandoned),
            Offered = totals.Offered,
            Answered = totals.Answered,
            Abandoned = totals.Abandoned,
            IdleAgents = status.IdleAgents,
            Alert = ServiceLevelRule.Evaluate(totals.ServiceLevel, definition.ServiceLevelTarget, longest, definition.ServiceLevelThresholdSeconds),
        };
    }
}
