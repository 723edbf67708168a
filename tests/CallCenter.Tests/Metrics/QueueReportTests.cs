using CallCenter.Domain.Metrics;
using CallCenter.Model;

namespace CallCenter.Tests.Metrics;

public sealed class QueueReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly QueueDefinition Queue = new() { Id = "q", Name = "Q" };

    private static QueueTicket Ticket(string callId, string site, int secondsAgo, int priority = 0) =>
        new() { CallId = callId, SiteId = site, EnqueuedAt = T0.AddSeconds(-secondsAgo), BasePriority = priority };

    private static AgentAvailability Idle(string agentId, string site) =>
        new() { AgentId = agentId, TenantId = TenantDefinition.DefaultTenantId, SiteId = site, IdleSince = T0 };

    [Fact]
    public void SiteStatuses_CoverEverySiteWithCallsOrAgents_CountingEachSitesOwn()
    {
        QueueTicket[] waiting = [Ticket("c1", "north", 30), Ticket("c2", "south", 10), Ticket("c3", "north", 5)];
        var report = new QueueReport("q", Queue, waiting, offered: 0, [Idle("a1", "east")], new QueueStatistics(20));

        var sites = report.SiteStatuses(T0);

        Assert.Equal(["east", "north", "south"], sites.Select(s => s.SiteId));
        var north = sites.Single(s => s.SiteId == "north");
        Assert.Equal((2, 30.0, 0), (north.Waiting, north.LongestWaitSeconds, north.IdleEligibleAgents));
        Assert.Equal(1, sites.Single(s => s.SiteId == "east").IdleEligibleAgents);
    }

    [Fact]
    public void Position_CountsTheCallsServedBefore_ByPriorityThenWait()
    {
        QueueTicket[] waiting = [Ticket("old", "north", 60), Ticket("vip", "north", 1, priority: 10), Ticket("new", "north", 5)];

        Assert.Equal(1, QueueReport.Position(Queue, waiting, waiting[1], T0));
        Assert.Equal(2, QueueReport.Position(Queue, waiting, waiting[0], T0));
        Assert.Equal(3, QueueReport.Position(Queue, waiting, waiting[2], T0));
    }

    [Fact]
    public void LongestWait_IsZeroForASiteWithNobodyWaiting()
    {
        QueueTicket[] waiting = [Ticket("c1", "north", 42)];

        Assert.Equal(42, QueueReport.LongestWait(waiting, null, T0));
        Assert.Equal(0, QueueReport.LongestWait(waiting, "south", T0));
    }

    [Fact]
    public void Place_KeepsThePosition_AndAFirstCallerWithAnIdleAgentWaitsNothing()
    {
        var report = new QueueReport("q", Queue, [Ticket("c1", "north", 1)], offered: 0, [Idle("a1", "north")], new QueueStatistics(20));

        var place = report.Place(1);

        Assert.Equal(1, place.Position);
        Assert.Equal(0, place.ExpectedWaitSeconds);
    }
}
