using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using CallGrainType = CallCenter.Grains.Grains.CallGrain;

namespace CallCenter.Tests.Grains;

/// <summary>
/// A call whose edge dies, at any point of its life, ends once with one true record: no zombie call, no agent left
/// Busy or Reserved, no queue entry left behind, and times that stop when the call really ended.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EdgeLossTests(ClusterFixture fixture)
{
    public enum Stage
    {
        Arrived,
        InIvr,
        Queued,
        Offered,
        Connecting,
        Connected,
        Held,
    }

    [Theory]
    [InlineData(Stage.Arrived)]
    [InlineData(Stage.InIvr)]
    [InlineData(Stage.Queued)]
    [InlineData(Stage.Offered)]
    [InlineData(Stage.Connecting)]
    [InlineData(Stage.Connected)]
    [InlineData(Stage.Held)]
    public async Task EdgeDiesBeforeItsFirstRenewal_CallIsEndedOnce_AgentFreed_QueueEmptied_OneRecord(Stage stage)
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("zombie"));

        // The edge takes the call and dies before it ever renews its lease.
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await DriveToAsync(stage, call, agent, scenario, queue.Id);
        var lastAliveAt = fixture.Clock.GetUtcNow();

        scenario.Advance(CallGrainType.EdgeLease + TimeSpan.FromSeconds(1));
        await call.ProcessDueWorkAsync();

        var ended = await call.GetAsync();
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal("edge lost", ended.OutcomeDetail);
        Assert.Equal(stage >= Stage.Connecting ? CallOutcome.Answered : CallOutcome.Failed, ended.Outcome);
        Assert.False(await scenario.Grains.GetGrain<CallCenter.Grains.Contracts.IQueueRouting>(queue.Id).ContainsAsync(ended.CallId));
        var free = stage == Stage.Queued ? PresenceState.NotReady : PresenceState.Available;
        await Eventually.HoldsAsync(
            async () => (await scenario.AgentStatusAsync(agent)) is { Offer: null, Calls.Count: 0 } status && status.Presence.State == free && status.Counters.MissedOffers == 0,
            "the agent free (not Busy, Reserved, nor NotReady for a missed offer) after its call's edge was lost");

        // Checked again later: the call stays ended and writes no second record.
        scenario.Advance(CallGrainType.EdgeLease);
        await call.ProcessDueWorkAsync();
        var records = await fixture.History.ForCallAsync(ended.CallId);
        var record = Assert.Single(CallCenter.Domain.History.CallRecord.Latest(records));
        Assert.Equal((ended.Outcome, "edge lost"), (record.Outcome, record.OutcomeDetail));
        Assert.Equal(lastAliveAt, record.EndedAt);
        Assert.Equal(0, record.TalkSeconds);
    }

    [Fact]
    public async Task EdgeFallsSilentInConversation_TalkTimeEndsAtItsLastRenewal_NotWhenTheSilenceWasNoticed()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("silent"));
        var edge = scenario.Grains.CreateObjectReference<ICallObserver>(new NoObserver());
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));
        var offer = await agent.NextOfferAsync("the edge call offered");
        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        await call.MediaConnectedAsync();

        scenario.Advance(TimeSpan.FromSeconds(28));
        await call.EdgeAliveAsync(edge);
        scenario.Advance(CallGrainType.EdgeLease + TimeSpan.FromSeconds(30));
        await call.ProcessDueWorkAsync();

        var record = Assert.Single(await fixture.History.ForCallAsync((await call.GetAsync()).CallId));
        Assert.Equal(CallOutcome.Answered, record.Outcome);
        Assert.Equal(28, record.TalkSeconds, precision: 3);
    }

    [Theory]
    [InlineData(CallParty.Caller)]
    [InlineData(CallParty.Agent)]
    public async Task HangUpHeldInTransit_EndsWhenTheEdgeSawIt_NotWhenItWasDelivered(CallParty party)
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("held-hang-up"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));
        var offer = await agent.NextOfferAsync("the edge call offered");
        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        await call.MediaConnectedAsync();
        scenario.Advance(TimeSpan.FromSeconds(3));
        var hungUpAt = fixture.Clock.GetUtcNow();

        // The hang-up was sent at once (ago 0) and sat 12 s in a frozen silo's gateway; it carries the edge's instant.
        scenario.Advance(TimeSpan.FromSeconds(12));
        HangUpContext.Set(hungUpAt);
        try
        {
            Assert.Equal(CommandStatus.Ok, (await call.HangUpSinceAsync(party, TimeSpan.Zero)).Status);
        }
        finally
        {
            HangUpContext.Clear();
        }

        var record = Assert.Single(await fixture.History.ForCallAsync((await call.GetAsync()).CallId));
        Assert.Equal(hungUpAt, record.EndedAt);
        Assert.Equal(3, record.TalkSeconds, precision: 3);
    }

    [Fact]
    public async Task HangUpInstantFromAnEdgeClockAhead_OrOlderThanTheLease_IsNotTaken()
    {
        var scenario = new Scenario(fixture);
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("skewed-hang-up"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        scenario.Advance(TimeSpan.FromSeconds(5));
        var now = fixture.Clock.GetUtcNow();

        // An instant in the grain's future (the edge's clock ahead) is ignored: the "ago" decides.
        HangUpContext.Set(now.AddSeconds(20));
        try
        {
            await call.HangUpSinceAsync(CallParty.Caller, TimeSpan.FromSeconds(2));
        }
        finally
        {
            HangUpContext.Clear();
        }

        Assert.Equal(now.AddSeconds(-2), Assert.Single(await fixture.History.ForCallAsync((await call.GetAsync()).CallId)).EndedAt);

        var old = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("old-hang-up"));
        await old.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        scenario.Advance(TimeSpan.FromSeconds(5));
        var later = fixture.Clock.GetUtcNow();
        // An instant more than a lease ago (a clock far behind) is not taken either (taken, it would end at the arrival).
        HangUpContext.Set(later - CallGrainType.EdgeLease - TimeSpan.FromSeconds(20));
        try
        {
            await old.HangUpSinceAsync(CallParty.Caller, TimeSpan.FromSeconds(1));
        }
        finally
        {
            HangUpContext.Clear();
        }

        Assert.Equal(later.AddSeconds(-1), Assert.Single(await fixture.History.ForCallAsync((await old.GetAsync()).CallId)).EndedAt);
    }

    [Theory]
    [InlineData(CallParty.Caller, Stage.Queued, CallOutcome.Abandoned)]
    [InlineData(CallParty.Caller, Stage.Offered, CallOutcome.Abandoned)]
    [InlineData(CallParty.Caller, Stage.Connected, CallOutcome.Answered)]
    [InlineData(CallParty.Agent, Stage.Connected, CallOutcome.Answered)]
    [InlineData(CallParty.Agent, Stage.Held, CallOutcome.Answered)]
    public async Task HangUpDeliveredLate_EndsAtTheRealEnd_RecordsWhoHungUp_AndRepeatsAreNoOps(CallParty party, Stage stage, CallOutcome expected)
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        await scenario.Agent(agent.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("late-hang-up"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await DriveToAsync(stage, call, agent, scenario, queue.Id);
        var edge = scenario.Grains.CreateObjectReference<ICallObserver>(new NoObserver());
        scenario.Advance(TimeSpan.FromSeconds(28));
        await call.EdgeAliveAsync(edge);
        var hungUpAt = fixture.Clock.GetUtcNow();

        // A silo restart holds the hang-up for 30 s; the edge delivers it with how long ago it happened, twice.
        scenario.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CommandStatus.Ok, (await call.HangUpSinceAsync(party, TimeSpan.FromSeconds(30))).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.HangUpSinceAsync(party, TimeSpan.FromSeconds(31))).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.HangUpAsync(party)).Status);

        var ended = await call.GetAsync();
        Assert.Equal(expected, ended.Outcome);
        Assert.False(await scenario.Grains.GetGrain<CallCenter.Grains.Contracts.IQueueRouting>(queue.Id).ContainsAsync(ended.CallId));
        var record = Assert.Single(await fixture.History.ForCallAsync(ended.CallId));
        Assert.Equal(hungUpAt, record.EndedAt);
        Assert.Equal(expected == CallOutcome.Answered ? 28 : 0, record.TalkSeconds, precision: 3);
        if (expected == CallOutcome.Abandoned)
        {
            Assert.Equal(28, record.WaitSeconds, precision: 3);
        }

        await Eventually.HoldsAsync(
            async () => (await scenario.AgentStatusAsync(agent)) is { Offer: null, Calls.Count: 0, Counters.MissedOffers: 0 },
            "the agent holds nothing after the late hang-up");
    }

    private static async Task DriveToAsync(Stage stage, ICallGrain call, AgentProbe agent, Scenario scenario, string queueId)
    {
        if (stage == Stage.Arrived)
        {
            return;
        }

        if (stage == Stage.InIvr)
        {
            await call.EnterIvrAsync();
            return;
        }

        if (stage == Stage.Queued)
        {
            // No agent takes it: the agent is on a break.
            await scenario.Agent(agent.AgentId).SetNotReadyAsync("break");
            await call.EnqueueAsync(queueId);
            return;
        }

        await call.EnqueueAsync(queueId);
        var offer = await agent.NextOfferAsync("the edge call offered");
        if (stage == Stage.Offered)
        {
            return;
        }

        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        if (stage == Stage.Connecting)
        {
            return;
        }

        await call.MediaConnectedAsync();
        if (stage == Stage.Held)
        {
            await call.HoldAsync(agent.AgentId);
        }
    }

    private sealed class NoObserver : ICallObserver
    {
        public void OnCallChanged(CallNotice notice)
        {
        }
    }
}
