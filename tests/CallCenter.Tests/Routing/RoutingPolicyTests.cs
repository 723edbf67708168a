using CallCenter.Domain.Routing;
using CallCenter.Model;

namespace CallCenter.Tests.Routing;

public sealed class RoutingPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static QueueDefinition Queue(Func<QueueDefinition, QueueDefinition>? shape = null)
    {
        var queue = new QueueDefinition
        {
            Id = "q",
            Name = "Q",
            RequiredSkills = [new("sales", 5)],
            Stages = [new() { AfterSeconds = 0, Scope = StageScope.OwnSite }, new() { AfterSeconds = 30, Scope = StageScope.AnySite }, new() { AfterSeconds = 90, Scope = StageScope.PartnerExperts, Skills = [new("sales", 2)] }],
            EntitledPartners = ["acme"],
        };
        return shape?.Invoke(queue) ?? queue;
    }

    private static QueueTicket Call(string id = "c1", string site = "north", int priority = 0, double ageSeconds = 0, string tenant = "default") => new()
    {
        CallId = id,
        SiteId = site,
        TenantId = tenant,
        BasePriority = priority,
        EnqueuedAt = T0.AddSeconds(-ageSeconds),
    };

    private static AgentAvailability Agent(string id, string site = "north", int sales = 6, double idleSeconds = 60, AgentKind kind = AgentKind.Staff, string? partner = null, double occupancy = 0.5, string tenant = "default") => new()
    {
        AgentId = id,
        TenantId = tenant,
        SiteId = site,
        Kind = kind,
        PartnerOrganization = partner,
        Skills = [new("sales", sales)],
        IdleSince = T0.AddSeconds(-idleSeconds),
        Occupancy = occupancy,
    };

    [Theory]
    [InlineData(0, 0)]
    [InlineData(29.9, 0)]
    [InlineData(30, 1)]
    [InlineData(89, 1)]
    [InlineData(90, 2)]
    [InlineData(10_000, 2)]
    public void StageIndex_FollowsTheWait(double waited, int stage) => Assert.Equal(stage, Bullseye.StageIndex(Queue(), waited));

    [Fact]
    public void SkillsAt_UsesTheNearestOverride() =>
        Assert.Equal(2, Bullseye.SkillsAt(Queue(), 2).Single().MinimumProficiency);

    [Fact]
    public void SkillsAt_WithoutOverride_UsesTheQueuesSkills() =>
        Assert.Equal(5, Bullseye.SkillsAt(Queue(), 1).Single().MinimumProficiency);

    [Fact]
    public void Eligibility_OwnSiteStage_ExcludesOtherSites()
    {
        Assert.True(Eligibility.IsEligible(Queue(), Call(), 0, Agent("a", "north")));
        Assert.False(Eligibility.IsEligible(Queue(), Call(), 0, Agent("b", "south")));
        Assert.True(Eligibility.IsEligible(Queue(), Call(), 1, Agent("b", "south")));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(10, true)]
    public void Eligibility_RequiresMinimumProficiency(int proficiency, bool eligible) =>
        Assert.Equal(eligible, Eligibility.IsEligible(Queue(), Call(), 0, Agent("a", sales: proficiency)));

    [Fact]
    public void Eligibility_PartnerExpert_OnlyAtPartnerStageAndWhenEntitled()
    {
        var acme = Agent("p", kind: AgentKind.PartnerExpert, partner: "acme");
        var globex = Agent("g", kind: AgentKind.PartnerExpert, partner: "globex");
        Assert.False(Eligibility.IsEligible(Queue(), Call(), 1, acme));
        Assert.True(Eligibility.IsEligible(Queue(), Call(), 2, acme));
        Assert.False(Eligibility.IsEligible(Queue(), Call(), 2, globex));
    }

    [Fact]
    public void Eligibility_OtherTenant_OnlyThroughASharedPool()
    {
        var outsider = Agent("x", tenant: "other");
        Assert.False(Eligibility.IsEligible(Queue(), Call(), 1, outsider));
        Assert.True(Eligibility.IsEligible(Queue(q => q with { SharedPoolTenants = ["other"] }), Call(), 1, outsider));
    }

    [Fact]
    public void Eligibility_TargetAgent_OnlyThatAgentWhateverTheSkills()
    {
        var call = Call() with { TargetAgentId = "named" };
        Assert.True(Eligibility.IsEligible(Queue(), call, 0, Agent("named", site: "south", sales: 1)));
        Assert.False(Eligibility.IsEligible(Queue(), call, 0, Agent("other")));
    }

    [Fact]
    public void Eligibility_BusyChannel_IsNotEligible() =>
        Assert.False(Eligibility.IsEligible(Queue(), Call(), 0, Agent("a") with { FreeChannels = [Channel.Chat] }));

    [Fact]
    public void Select_LongestIdle_PicksEarliestIdleSince()
    {
        var picked = AgentSelector.Select(RoutingStrategy.LongestIdle, [Agent("a", idleSeconds: 10), Agent("b", idleSeconds: 100), Agent("c", idleSeconds: 50)], Call(), [new("sales", 5)], null);
        Assert.Equal("b", picked!.AgentId);
    }

    [Fact]
    public void Select_MostSkilled_PicksHighestProficiency()
    {
        var picked = AgentSelector.Select(RoutingStrategy.MostSkilled, [Agent("a", sales: 6, idleSeconds: 500), Agent("b", sales: 9), Agent("c", sales: 7)], Call(), [new("sales", 5)], null);
        Assert.Equal("b", picked!.AgentId);
    }

    [Fact]
    public void Select_LeastOccupied_PicksLowestOccupancy()
    {
        var picked = AgentSelector.Select(RoutingStrategy.LeastOccupied, [Agent("a", occupancy: 0.9), Agent("b", occupancy: 0.2), Agent("c", occupancy: 0.5)], Call(), [], null);
        Assert.Equal("b", picked!.AgentId);
    }

    [Fact]
    public void Select_RoundRobin_TakesTheNextAfterTheCursorAndWraps()
    {
        AgentAvailability[] agents = [Agent("c"), Agent("a"), Agent("b")];
        Assert.Equal("a", AgentSelector.Select(RoutingStrategy.RoundRobin, agents, Call(), [], null)!.AgentId);
        Assert.Equal("b", AgentSelector.Select(RoutingStrategy.RoundRobin, agents, Call(), [], "a")!.AgentId);
        Assert.Equal("c", AgentSelector.Select(RoutingStrategy.RoundRobin, agents, Call(), [], "b")!.AgentId);
        Assert.Equal("a", AgentSelector.Select(RoutingStrategy.RoundRobin, agents, Call(), [], "c")!.AgentId);
    }

    [Fact]
    public void Select_Tie_GoesToTheCallsOwnSite()
    {
        var picked = AgentSelector.Select(RoutingStrategy.MostSkilled, [Agent("far", site: "south", sales: 8, idleSeconds: 500), Agent("near", site: "north", sales: 8, idleSeconds: 5)], Call(site: "north"), [new("sales", 5)], null);
        Assert.Equal("near", picked!.AgentId);
    }

    [Fact]
    public void Select_NoCandidates_GivesNull() =>
        Assert.Null(AgentSelector.Select(RoutingStrategy.LongestIdle, [], Call(), [], null));

    [Fact]
    public void Order_HigherPriorityFirst_ThenOlderFirst()
    {
        var ordered = CallOrdering.Order(Queue(), [Call("old", ageSeconds: 100), Call("vip", priority: 10, ageSeconds: 1), Call("older", ageSeconds: 200)], T0);
        Assert.Equal(["vip", "older", "old"], ordered.Select(c => c.CallId));
    }

    [Fact]
    public void Compare_AgreesWithOrder()
    {
        var older = Call("older", ageSeconds: 200);
        var vip = Call("vip", priority: 10, ageSeconds: 1);
        Assert.True(CallOrdering.Compare(Queue(), vip, older, T0) < 0);
        Assert.True(CallOrdering.Compare(Queue(), older, vip, T0) > 0);
        Assert.Equal(0, CallOrdering.Compare(Queue(), older, older, T0));
    }

    [Fact]
    public void Order_Aging_LetsALongWaitOvertakeHigherPriority()
    {
        var queue = Queue(q => q with { AgingPointsPerMinute = 2 });
        var ordered = CallOrdering.Order(queue, [Call("priority", priority: 5, ageSeconds: 0), Call("aged", priority: 0, ageSeconds: 180)], T0);
        Assert.Equal("aged", ordered[0].CallId);
        Assert.Equal(6, CallOrdering.EffectivePriority(queue, Call(ageSeconds: 180), T0), 6);
    }

    [Fact]
    public void Propose_ServesTheOldestEligibleCallFirst_AndUsesEachAgentOnce()
    {
        var matches = Matcher.Propose(Queue(), [Call("new", ageSeconds: 1), Call("old", ageSeconds: 10), Call("mid", ageSeconds: 5)], [Agent("a"), Agent("b")], T0, null);
        Assert.Equal(["old", "mid"], matches.Select(m => m.Call.CallId));
        Assert.Equal(2, matches.Select(m => m.Agent.AgentId).Distinct().Count());
    }

    [Fact]
    public void Propose_SkipsACallNoAgentMayTake_ForTheNextOne()
    {
        var matches = Matcher.Propose(Queue(), [Call("south-call", site: "south", ageSeconds: 20), Call("north-call", ageSeconds: 5)], [Agent("a", "north")], T0, null);
        Assert.Equal("north-call", Assert.Single(matches).Call.CallId);
    }

    [Fact]
    public void Propose_LastAgentFirst_WaitsForTheLastAgentInsideTheWindow()
    {
        var queue = Queue(q => q with { LastAgentFirstSeconds = 20 });
        var call = Call("c", ageSeconds: 5) with { LastAgentId = "fav" };
        Assert.Empty(Matcher.Propose(queue, [call], [Agent("other")], T0, null));
        Assert.Equal("fav", Matcher.Propose(queue, [call], [Agent("other"), Agent("fav", idleSeconds: 1)], T0, null).Single().Agent.AgentId);
        Assert.Equal("other", Matcher.Propose(queue, [call with { EnqueuedAt = T0.AddSeconds(-25) }], [Agent("other")], T0, null).Single().Agent.AgentId);
    }

    [Fact]
    public void Propose_RoundRobin_SpreadsCallsInOnePass()
    {
        var queue = Queue(q => q with { Strategy = RoutingStrategy.RoundRobin, Stages = [new() { AfterSeconds = 0, Scope = StageScope.AnySite }] });
        var matches = Matcher.Propose(queue, [Call("1", ageSeconds: 3), Call("2", ageSeconds: 2)], [Agent("a"), Agent("b"), Agent("c")], T0, "a");
        Assert.Equal(["b", "c"], matches.Select(m => m.Agent.AgentId));
    }

    [Fact]
    public void Overflow_IsDueFromEntryIntoThisQueue()
    {
        var queue = Queue(q => q with { Overflow = new OverflowAction { Kind = OverflowKind.Queue, AfterSeconds = 60, TargetQueueId = "other" } });
        var moved = Call(ageSeconds: 300) with { EnteredThisQueueAt = T0.AddSeconds(-10) };
        Assert.False(OverflowPolicy.IsDue(queue, moved, T0));
        Assert.True(OverflowPolicy.IsDue(queue, Call(ageSeconds: 61), T0));
        Assert.False(OverflowPolicy.IsDue(queue, Call(ageSeconds: 61) with { IsCallback = true }, T0));
        Assert.False(OverflowPolicy.IsDue(Queue(), Call(ageSeconds: 6000), T0));
    }

    [Fact]
    public void Overflow_TicketForTarget_KeepsEnqueueTimeAndPriority()
    {
        var ticket = Call(priority: 7, ageSeconds: 100);
        var moved = OverflowPolicy.TicketForTarget(ticket, T0);
        Assert.Equal(ticket.EnqueuedAt, moved.EnqueuedAt);
        Assert.Equal(7, moved.BasePriority);
        Assert.Equal(T0, moved.EnteredThisQueueAt);
    }
}
