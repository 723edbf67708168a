using CallCenter.Model;
using CallCenter.Web.Security;
using CallCenter.Web.Wallboard;

namespace CallCenter.Wallboard.Tests;

/// <summary>The wallboard's plain classes: the service-level rule and the snapshot builder, without a silo.</summary>
public sealed class WallboardSnapshotTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, 0.8, 0, 20, QueueAlert.Ok)]
    [InlineData(0.85, 0.8, 5, 20, QueueAlert.Ok)]
    [InlineData(0.8, 0.8, 5, 20, QueueAlert.Ok)]
    [InlineData(0.79, 0.8, 0, 20, QueueAlert.Breaching)]
    [InlineData(0.9, 0.8, 25, 20, QueueAlert.AtRisk)]
    [InlineData(null, 0.8, 21, 20, QueueAlert.AtRisk)]
    [InlineData(0.5, 0.8, 60, 20, QueueAlert.Breaching)]
    public void A_queue_below_its_target_breaches_and_a_call_past_the_threshold_puts_it_at_risk(double? serviceLevel, double target, double longestWait, double threshold, QueueAlert expected) =>
        Assert.Equal(expected, ServiceLevelRule.Evaluate(serviceLevel, target, longestWait, threshold));

    [Fact]
    public void Abandoned_percent_is_of_calls_that_left_the_queue()
    {
        Assert.Null(ServiceLevelRule.AbandonedPercent(0, 0));
        Assert.Equal(25.0, ServiceLevelRule.AbandonedPercent(3, 1));
        Assert.Equal(100.0, ServiceLevelRule.AbandonedPercent(0, 2));
    }

    [Theory]
    [InlineData(0, 0, 0, "down")]
    [InlineData(0, 0, 3, "down")]
    [InlineData(3, 0, 2, "busy")]
    [InlineData(3, 0, 0, "ok")]
    [InlineData(3, 1, 5, "ok")]
    public void Site_health_is_down_without_agents_and_busy_when_calls_wait_with_nobody_available(int loggedIn, int available, int waiting, string expected) =>
        Assert.Equal(expected, WallboardSnapshotBuilder.SiteHealth(loggedIn, available, waiting));

    [Fact]
    public void The_snapshot_has_tiles_per_queue_agents_by_state_per_site_and_the_routing_view()
    {
        var snapshot = Build(Principal.LocalOperator);

        var support = Assert.Single(snapshot.Queues, q => q.Id == "support");
        Assert.Equal(2, support.Waiting);
        Assert.Equal(45, support.LongestWaitSeconds, 3);
        Assert.Equal(0.6, support.ServiceLevel);
        Assert.Equal(12.5, support.AverageSpeedOfAnswerSeconds);
        Assert.Equal(20.0, support.AbandonedPercent);
        Assert.Equal(QueueAlert.Breaching, support.Alert);
        Assert.Equal(QueueAlert.Ok, Assert.Single(snapshot.Queues, q => q.Id == "sales").Alert);

        var london = Assert.Single(snapshot.Sites, s => s.Id == "london");
        Assert.Equal(1, london.AgentsByState["Available"]);
        Assert.Equal(1, london.AgentsByState["NotReady"]);
        Assert.Equal(0, london.AgentsByState["Busy"]);
        Assert.Equal(0, london.AgentsByState["WrapUp"]);
        Assert.Equal(2, london.LoggedIn);
        Assert.Equal(2, london.Waiting);
        Assert.Equal("ok", london.Health);
        var paris = Assert.Single(snapshot.Sites, s => s.Id == "paris");
        Assert.Equal(1, paris.AgentsByState["LoggedOut"]);
        Assert.Equal("down", paris.Health);

        Assert.Equal(["sales", "support"], snapshot.Routing.Select(r => r.QueueId).Distinct());
        Assert.Equal(3, snapshot.RoutingViewAgeSeconds, 3);
        Assert.Equal(["alice", "bob", "pierre"], snapshot.Agents.Select(a => a.Id));
        Assert.Equal("NotReady", snapshot.Agents[1].State);
        Assert.Equal("lunch", snapshot.Agents[1].ReasonCode);
    }

    [Fact]
    public void A_supervisor_sees_only_their_tenant()
    {
        var supervisor = new Principal("sam", UserRole.Supervisor, "other", null, null, "s1");

        var snapshot = Build(supervisor);

        Assert.Equal(["paris"], snapshot.Sites.Select(s => s.Id));
        Assert.Equal(["sales"], snapshot.Queues.Select(q => q.Id));
        Assert.Equal(["pierre"], snapshot.Agents.Select(a => a.Id));
        Assert.All(snapshot.Routing, r => Assert.Equal("other", r.TenantId));
    }

    private static WallboardSnapshot Build(Principal viewer)
    {
        var configuration = new ContactCenterConfiguration
        {
            Sites =
            [
                new SiteDefinition { Id = "london", Name = "London" },
                new SiteDefinition { Id = "paris", Name = "Paris", TenantId = "other" },
            ],
        };
        var support = new QueueDefinition { Id = "support", Name = "Support", ServiceLevelTarget = 0.8, ServiceLevelThresholdSeconds = 30 };
        var sales = new QueueDefinition { Id = "sales", Name = "Sales", TenantId = "other" };
        QueueStatus[] queues =
        [
            new QueueStatus
            {
                QueueId = "support",
                Definition = support,
                Waiting =
                [
                    new WaitingCallInfo { CallId = "c1", SiteId = "london", EnqueuedAt = Now.AddSeconds(-45) },
                    new WaitingCallInfo { CallId = "c2", SiteId = "london", EnqueuedAt = Now.AddSeconds(-5) },
                ],
                Totals = new QueueMetrics { QueueId = "support", Offered = 12, Answered = 8, Abandoned = 2, ServiceLevel = 0.6, AverageSpeedOfAnswerSeconds = 12.5, LongestWaitSeconds = 300 },
            },
            new QueueStatus { QueueId = "sales", Definition = sales, Totals = new QueueMetrics { QueueId = "sales", ServiceLevel = 0.95, Answered = 4 } },
        ];
        SiteStatus[] sites =
        [
            new SiteStatus { SiteId = "london", AgentsByState = new Dictionary<PresenceState, int> { [PresenceState.Available] = 1, [PresenceState.Busy] = 1, [PresenceState.LoggedOut] = 3 } },
        ];
        AgentStatus[] agents =
        [
            Agent("bob", "london", "default", new AgentPresence { State = PresenceState.NotReady, ReasonCode = "lunch" }),
            Agent("alice", "london", "default", new AgentPresence { State = PresenceState.Available }),
            Agent("pierre", "paris", "other", new AgentPresence { State = PresenceState.LoggedOut }),
        ];
        var routing = new RoutingViewSnapshot
        {
            UpdatedAt = Now.AddSeconds(-3),
            Queues =
            [
                new QueueSiteStatus { QueueId = "support", SiteId = "london", Waiting = 2, LongestWaitSeconds = 45 },
                new QueueSiteStatus { QueueId = "sales", SiteId = "paris", Waiting = 0, TenantId = "other" },
            ],
        };
        return WallboardSnapshotBuilder.Build(viewer, configuration, queues, sites, agents, routing, Now);
    }

    private static AgentStatus Agent(string id, string site, string tenant, AgentPresence presence) => new()
    {
        AgentId = id,
        Definition = new AgentDefinition { Id = id, Name = id.ToUpperInvariant(), SiteId = site, TenantId = tenant, Skills = [new SkillLevel("support", 5)] },
        Presence = presence,
        Counters = new AgentCounters(),
    };
}
