using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class RoutingRuleTests(ClusterFixture fixture)
{
    private static readonly BullseyeStage OwnSite = new() { AfterSeconds = 0, Scope = StageScope.OwnSite };

    [Fact]
    public async Task Skills_AgentBelowMinimumProficiency_IsNotOffered()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { RequiredSkills = [new("sales", 5)] });
        var novice = await scenario.AgentAsync("novice", shape: a => a with { Skills = [new("sales", 4)] });
        var call = await scenario.CallAsync("q");

        Assert.Null(Assert.Single((await scenario.Queue(queue.Id).GetStatusAsync()).Waiting).OfferedToAgentId);
        Assert.False(novice.TryTakeOffer(out _));

        var skilled = await scenario.AgentAsync("skilled", shape: a => a with { Skills = [new("sales", 5)] });
        Assert.Equal(call.GetPrimaryKeyString(), (await skilled.NextOfferAsync("offer to the qualified agent")).CallId);
        Assert.False(novice.TryTakeOffer(out _));
    }

    [Fact]
    public async Task Bullseye_OwnSiteFirst_ThenAnySiteAfterStageTime()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { Stages = [OwnSite, new() { AfterSeconds = 30, Scope = StageScope.AnySite }] });
        var remote = await scenario.AgentAsync("remote", site: "south");
        var call = await scenario.CallAsync("q", site: "north");

        scenario.Advance(TimeSpan.FromSeconds(29));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        Assert.False(remote.TryTakeOffer(out _));

        scenario.Advance(TimeSpan.FromSeconds(2));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        Assert.Equal(call.GetPrimaryKeyString(), (await remote.NextOfferAsync("offer at the any-site stage")).CallId);
    }

    [Fact]
    public async Task Bullseye_PartnerStage_OffersOnlyEntitledPartnerExperts()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("experts", q => q with
        {
            RequiredSkills = [new("network", 5)],
            EntitledPartners = ["acme"],
            Stages = [new() { AfterSeconds = 0, Scope = StageScope.AnySite }, new() { AfterSeconds = 60, Scope = StageScope.PartnerExperts }],
        });
        var entitled = await scenario.AgentAsync("acme-expert", shape: a => a with { Kind = AgentKind.PartnerExpert, PartnerOrganization = "acme", Skills = [new("network", 9)] });
        var call = await scenario.CallAsync("experts");
        Assert.False(entitled.TryTakeOffer(out _));

        scenario.Advance(TimeSpan.FromSeconds(61));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();

        Assert.Equal(call.GetPrimaryKeyString(), (await entitled.NextOfferAsync("offer at the partner stage")).CallId);
    }

    [Fact]
    public async Task PartnerExpert_OfAnotherOrganisation_IsNeverOffered()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("experts", q => q with
        {
            EntitledPartners = ["acme"],
            Stages = [new() { AfterSeconds = 0, Scope = StageScope.PartnerExperts }],
        });
        var outsider = await scenario.AgentAsync("globex-expert", shape: a => a with { Kind = AgentKind.PartnerExpert, PartnerOrganization = "globex" }, login: false);
        await scenario.Agent(outsider.AgentId).LoginAsync();
        var call = await scenario.CallAsync("experts");

        var status = await scenario.Queue(queue.Id).GetStatusAsync();
        Assert.DoesNotContain(outsider.AgentId, status.IdleAgentIds);
        Assert.Null(Assert.Single(status.Waiting).OfferedToAgentId);
        Assert.False(outsider.TryTakeOffer(out _));
        Assert.Equal(CallState.Queued, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task Bullseye_LaterStage_RelaxesSkills()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with
        {
            RequiredSkills = [new("billing", 8)],
            Stages = [new() { AfterSeconds = 0, Scope = StageScope.AnySite }, new() { AfterSeconds = 45, Scope = StageScope.AnySite, Skills = [new("billing", 3)] }],
        });
        var junior = await scenario.AgentAsync("junior", shape: a => a with { Skills = [new("billing", 3)] });
        var call = await scenario.CallAsync("q");
        Assert.False(junior.TryTakeOffer(out _));

        scenario.Advance(TimeSpan.FromSeconds(46));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();

        Assert.Equal(call.GetPrimaryKeyString(), (await junior.NextOfferAsync("offer once skills are relaxed")).CallId);
    }

    [Fact]
    public async Task LongestIdle_PicksTheAgentIdleLongest()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { Strategy = RoutingStrategy.LongestIdle });
        var early = await scenario.AgentAsync("early");
        scenario.Advance(TimeSpan.FromSeconds(5));
        var late = await scenario.AgentAsync("late");

        await scenario.CallAsync("q");

        await early.NextOfferAsync("offer to the agent idle longest");
        Assert.False(late.TryTakeOffer(out _));
    }

    [Fact]
    public async Task MostSkilled_PicksTheHighestProficiency()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { Strategy = RoutingStrategy.MostSkilled, RequiredSkills = [new("support", 3)] });
        var good = await scenario.AgentAsync("good", shape: a => a with { Skills = [new("support", 6)] });
        scenario.Advance(TimeSpan.FromSeconds(5));
        var best = await scenario.AgentAsync("best", shape: a => a with { Skills = [new("support", 9)] });

        await scenario.CallAsync("q");

        await best.NextOfferAsync("offer to the most skilled agent");
        Assert.False(good.TryTakeOffer(out _));
    }

    [Fact]
    public async Task VipCustomer_IsServedBeforeEarlierStandardCalls()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var vipNumber = scenario.Id("vip-number");
        await scenario.Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(TenantDefinition.DefaultTenantId, vipNumber))
            .UpdateProfileAsync("Very Important", CustomerTier.Vip, null);
        await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(10));
        var vip = await scenario.CallAsync("q", caller: vipNumber);

        var agent = await scenario.AgentAsync("a");

        Assert.Equal(vip.GetPrimaryKeyString(), (await agent.NextOfferAsync("offer of the VIP call")).CallId);
    }

    [Fact]
    public async Task Tenants_AgentOfAnotherTenant_IsNeverOffered_UnlessThePoolIsShared()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { TenantId = "blue" });
        var red = await scenario.AgentAsync("red", shape: a => a with { TenantId = "red" });
        var call = await scenario.CallAsync("q", tenant: "blue");
        Assert.False(red.TryTakeOffer(out _));

        await scenario.QueueAsync("q", q => q with { TenantId = "blue", SharedPoolTenants = ["red"] });
        var shared = await scenario.AgentAsync("red-shared", shape: a => a with { TenantId = "red" });

        Assert.Equal(call.GetPrimaryKeyString(), (await shared.NextOfferAsync("offer through the shared pool")).CallId);
        Assert.Equal(queue.Id, (await call.GetAsync()).QueueId);
    }

    [Fact]
    public async Task Enqueue_IntoAnotherTenantsQueue_IsRefused()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { TenantId = "blue" });
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("cross"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", TenantId = "red" });

        var result = await call.EnqueueAsync(scenario.Id("q"));

        Assert.Equal(EnqueueStatus.Refused, result.Status);
        Assert.Equal(CallState.Arrived, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task LastAgentFirst_WaitsForTheLastAgent_ThenAnyone()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { LastAgentFirstSeconds = 30 });
        var caller = scenario.Id("regular");
        var favourite = await scenario.AgentAsync("favourite");
        var first = await scenario.CallAsync("q", caller: caller);
        var offer = await favourite.NextOfferAsync("first call");
        await first.AcceptAsync(favourite.AgentId, offer.Epoch);
        await first.HangUpAsync(CallParty.Caller);
        await scenario.Agent(favourite.AgentId).SetNotReadyAsync("break");
        var other = await scenario.AgentAsync("other");

        var second = await scenario.CallAsync("q", caller: caller);
        Assert.False(other.TryTakeOffer(out _));
        await scenario.Agent(favourite.AgentId).SetAvailableAsync();
        Assert.Equal(second.GetPrimaryKeyString(), (await favourite.NextOfferAsync("offer to the last agent")).CallId);
        await second.HangUpAsync(CallParty.Caller);

        await scenario.Agent(favourite.AgentId).SetNotReadyAsync("break");
        var third = await scenario.CallAsync("q", caller: caller);
        scenario.Advance(TimeSpan.FromSeconds(31));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        Assert.Equal(third.GetPrimaryKeyString(), (await other.NextOfferAsync("offer to anyone after the window")).CallId);
    }
}
