using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

/// <summary>
/// An agent who answered is never charged with a missed offer, however late the accept arrives (a desktop's click just
/// after the lease, a phone's answer held up on a frozen silo): while the queue still holds the offer the call connects;
/// once the offer is gone the accept is refused and the agent, if the expiry charged it, is made Available again.
/// Only an offer nobody accepted, or one the agent declined, stays charged.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LateAcceptTests(ClusterFixture fixture)
{
    public enum Device
    {
        Desktop,
        Phone,
    }

    [Theory]
    [InlineData(Device.Desktop)]
    [InlineData(Device.Phone)]
    public async Task AcceptAfterTheLeaseWhileTheQueueStillHoldsTheOffer_Connects_AgentBusyNotCharged(Device device)
    {
        var scenario = new Scenario(fixture);
        var (call, agent, epoch) = await OfferedAsync(scenario, device);

        // The accept reaches the call after the offer's lease, before the queue's timer took the offer back.
        scenario.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, epoch)).Status);

        var snapshot = await call.GetAsync();
        Assert.Equal(device == Device.Phone ? CallState.Connecting : CallState.Connected, snapshot.State);
        Assert.Equal(agent.AgentId, snapshot.AgentId);
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal((PresenceState.Busy, 0), (status.Presence.State, status.Counters.MissedOffers));
    }

    [Theory]
    [InlineData(Device.Desktop)]
    [InlineData(Device.Phone)]
    public async Task AcceptAfterTheQueueExpiredTheOffer_IsRefused_TheChargeIsTakenBack_TheCallWaitsForAnAgent(Device device)
    {
        var scenario = new Scenario(fixture);
        var (call, agent, epoch) = await OfferedAsync(scenario, device);
        scenario.Advance(TimeSpan.FromSeconds(11));
        await scenario.Queue(scenario.Id("q")).ProcessDueWorkAsync();
        await AssertChargedAsync(scenario, agent, charged: true, "the expiry charging the agent, no accept having arrived");

        // The agent had answered: the accept was held up (a frozen call silo) and arrives after the expiry.
        Assert.Equal(CommandStatus.StaleEpoch, (await call.AcceptAsync(agent.AgentId, epoch)).Status);

        await AssertChargedAsync(scenario, agent, charged: false, "the charge taken back once the late accept arrived");
        Assert.True((await call.GetAsync()).State is CallState.Queued or CallState.Offered);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AcceptAfterTheCallMovedOn_IsRefused_TheChargeIsTakenBack(bool callerHungUp)
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { AcceptTimeoutSeconds = 10 });
        var first = await scenario.AgentAsync("a");
        var call = await scenario.CallAsync("q");
        var offer = await first.NextOfferAsync("the call offered to the first agent");
        scenario.Advance(TimeSpan.FromSeconds(11));
        await scenario.Queue(scenario.Id("q")).ProcessDueWorkAsync();
        await AssertChargedAsync(scenario, first, charged: true, "the expiry charging the first agent");
        if (callerHungUp)
        {
            Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Caller)).Status);
        }
        else
        {
            var second = await scenario.AgentAsync("b");
            var next = await second.NextOfferAsync("the call offered to the second agent");
            Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(second.AgentId, next.Epoch)).Status);
        }

        var refused = await call.AcceptAsync(first.AgentId, offer.Epoch);

        Assert.NotEqual(CommandStatus.Ok, refused.Status);
        await AssertChargedAsync(scenario, first, charged: false, "the first agent's charge taken back");
    }

    [Fact]
    public async Task AcceptAfterDeclining_IsRefused_AndTheDeclineStaysCharged()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, epoch) = await OfferedAsync(scenario, Device.Desktop);
        Assert.Equal(CommandStatus.Ok, (await call.RejectAsync(agent.AgentId, epoch)).Status);

        Assert.NotEqual(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, epoch)).Status);

        await AssertChargedAsync(scenario, agent, charged: true, "the agent still charged with the offer it declined");
    }

    [Fact]
    public async Task AcceptOfAnotherOffer_DoesNotTakeBackTheChargeOfTheOneMissed()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, epoch) = await OfferedAsync(scenario, Device.Desktop);
        scenario.Advance(TimeSpan.FromSeconds(11));
        await scenario.Queue(scenario.Id("q")).ProcessDueWorkAsync();

        Assert.NotEqual(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, epoch + 1000)).Status);
        var other = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("other"));
        Assert.NotEqual(CommandStatus.Ok, (await other.AcceptAsync(agent.AgentId, epoch)).Status);

        await AssertChargedAsync(scenario, agent, charged: true, "the agent still charged: no accept of the missed offer came");
    }

    private async Task<(ICallGrain Call, AgentProbe Agent, long Epoch)> OfferedAsync(Scenario scenario, Device device)
    {
        await scenario.QueueAsync("q", q => q with { AcceptTimeoutSeconds = 10 });
        var agent = await scenario.AgentAsync("a");
        if (device == Device.Desktop)
        {
            var call = await scenario.CallAsync("q");
            return (call, agent, (await agent.NextOfferAsync("the desktop offer")).Epoch);
        }

        await scenario.Agent(agent.AgentId).SetPhoneAsync($"sip:{agent.AgentId}@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        await scenario.WaitUntilIdleInQueuesAsync(agent.AgentId);
        var edgeCall = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("edge-call"));
        await edgeCall.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await edgeCall.EnqueueAsync(scenario.Id("q"));
        var offer = await agent.NextOfferAsync("the phone offer");

        // The edge rang the phone (so an expiry without an accept is the agent's).
        await edgeCall.OfferRingingAsync(agent.AgentId, offer.Epoch);
        return (edgeCall, agent, offer.Epoch);
    }

    private static Task AssertChargedAsync(Scenario scenario, AgentProbe agent, bool charged, string phase) =>
        Eventually.HoldsAsync(
            async () => (await scenario.AgentStatusAsync(agent)) is { } status
                && (charged
                    ? status is { Offer: null, Presence: { State: PresenceState.NotReady, ReasonCode: ReasonCodes.MissedOffer }, Counters.MissedOffers: 1 }
                    : status.Presence.State is PresenceState.Available or PresenceState.Reserved && status.Counters.MissedOffers == 0),
            phase);
}
