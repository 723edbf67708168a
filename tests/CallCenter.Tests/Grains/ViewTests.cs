using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ViewTests(ClusterFixture fixture)
{
    [Fact]
    public async Task RoutingView_ShowsEachQueuePerSite_AndIsReadableThroughTheSiloCache()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { Stages = [new() { AfterSeconds = 0, Scope = StageScope.OwnSite }] });
        await scenario.AgentAsync("south-agent", site: "south");
        await scenario.CallAsync("q", site: "north");
        await scenario.CallAsync("q", site: "north");
        scenario.Advance(TimeSpan.FromSeconds(40));

        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        await Eventually.HoldsAsync(
            async () => (await fixture.Grains.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).GetAsync()).Queues
                .Any(q => q.QueueId == queue.Id && q.SiteId == "north" && q.Waiting == 2 && q.LongestWaitSeconds >= 40),
            "the queue reporting both waiting calls to the routing view (it reports about every second)");

        var view = await fixture.Grains.GetGrain<IRoutingViewGrain>(GrainKeys.RoutingView).GetAsync();
        var north = view.Queues.Single(q => q.QueueId == queue.Id && q.SiteId == "north");
        var south = view.Queues.Single(q => q.QueueId == queue.Id && q.SiteId == "south");
        Assert.Equal(2, north.Waiting);
        Assert.Equal(40, north.LongestWaitSeconds, 3);
        Assert.Equal(0, north.IdleEligibleAgents);
        Assert.True(north.ExpectedWaitSeconds > 0);
        Assert.Equal(1, south.IdleEligibleAgents);
        Assert.Equal(0, south.Waiting);
        await Eventually.HoldsAsync(
            async () => (await fixture.Grains.GetGrain<IRoutingViewCacheGrain>(0).GetAsync()).Queues.Any(q => q.QueueId == queue.Id),
            "the per-silo cache serving the view");
    }

    [Fact]
    public async Task Site_CountsAgentsByState_AndOccupancy()
    {
        var scenario = new Scenario(fixture);
        var site = scenario.Id("site");
        await scenario.QueueAsync("q");
        var busy = await scenario.AgentAsync("busy", site: site);
        var idle = await scenario.AgentAsync("idle", site: site);
        await scenario.Agent(idle.AgentId).SetNotReadyAsync("break");
        var (call, _) = await scenario.AnsweredCallAsync(busy);
        scenario.Advance(TimeSpan.FromSeconds(30));
        await call.HangUpAsync(CallParty.Caller);
        scenario.Advance(TimeSpan.FromSeconds(10));
        await scenario.Agent(busy.AgentId).SetNotReadyAsync("break");

        await Eventually.HoldsAsync(
            async () => (await fixture.Grains.GetGrain<ISiteGrain>(site).GetStatusAsync()).AgentsByState.GetValueOrDefault(PresenceState.NotReady) == 2,
            "the site hearing both agents go NotReady");
        var status = await fixture.Grains.GetGrain<ISiteGrain>(site).GetStatusAsync();

        Assert.Equal(2, status.AgentsByState.Values.Sum());
        Assert.Equal(30.0 / 40, status.Occupancy!.Value, 3);
    }
}
