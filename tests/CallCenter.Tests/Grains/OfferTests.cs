using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class OfferTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Accept_WithinTimeout_ConnectsCallAndMakesAgentBusy()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var call = await scenario.CallAsync("q");

        var offer = await agent.NextOfferAsync("offer to the only idle agent");
        var accepted = await call.AcceptAsync(agent.AgentId, offer.Epoch);

        Assert.Equal(CommandStatus.Ok, accepted.Status);
        var snapshot = await call.GetAsync();
        Assert.Equal(CallState.Connected, snapshot.State);
        Assert.Equal(agent.AgentId, snapshot.AgentId);
        Assert.Contains(snapshot.Timeline, e => e.Kind == CallEventKind.Accepted);
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.Busy, status.Presence.State);
        Assert.Single(status.Calls);
    }

    [Fact]
    public async Task OfferExpired_WithoutAnAccept_AgentGoesNotReady_CallBackInItsQueue()
    {
        // An accept arriving after the expiry is not charged (LateAcceptTests); no accept at all is.
        var scenario = new Scenario(fixture);
        var (call, agent, _) = await scenario.OfferedCallAsync(q => q with { AcceptTimeoutSeconds = 10 });
        var queue = scenario.Id("q");

        scenario.Advance(TimeSpan.FromSeconds(11));
        await scenario.Queue(queue).ProcessDueWorkAsync();

        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Queued, "the call told its offer expired");
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.NotReady, status.Presence.State);
        Assert.Equal(ReasonCodes.MissedOffer, status.Presence.ReasonCode);
        Assert.Equal(1, status.Counters.MissedOffers);
        var waiting = Assert.Single((await scenario.Queue(queue).GetStatusAsync()).Waiting);
        Assert.Null(waiting.OfferedToAgentId);
    }

    [Fact]
    public async Task OfferTimeout_ReturnsCallToItsPlace_AheadOfLaterCalls()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { AcceptTimeoutSeconds = 10 });
        var first = await scenario.AgentAsync("first");
        var older = await scenario.CallAsync("q");
        var offer = await first.NextOfferAsync("offer of the older call");
        scenario.Advance(TimeSpan.FromSeconds(1));
        var newer = await scenario.CallAsync("q");

        scenario.Advance(TimeSpan.FromSeconds(10));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        var second = await scenario.AgentAsync("second");
        var next = await second.NextOfferAsync("offer after the timeout");

        Assert.Equal(offer.CallId, next.CallId);
        Assert.Equal(older.GetPrimaryKeyString(), next.CallId);
        Assert.NotEqual(newer.GetPrimaryKeyString(), next.CallId);
        Assert.True(next.Epoch > offer.Epoch);
    }

    [Fact]
    public async Task Reject_ReturnsCallAndMakesAgentNotReady()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, offer) = await scenario.OfferedCallAsync();
        var queue = scenario.Id("q");

        var rejected = await call.RejectAsync(agent.AgentId, offer.Epoch);
        var rejectedAgain = await call.RejectAsync(agent.AgentId, offer.Epoch);

        Assert.Equal(CommandStatus.Ok, rejected.Status);
        Assert.False(rejectedAgain.Succeeded);
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.NotReady, status.Presence.State);
        Assert.Equal(ReasonCodes.MissedOffer, status.Presence.ReasonCode);
        Assert.Equal(CallState.Queued, (await call.GetAsync()).State);
        Assert.Single((await scenario.Queue(queue).GetStatusAsync()).Waiting);
    }

    [Fact]
    public async Task Accept_WithStaleEpoch_ChangesNothing()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, offer) = await scenario.OfferedCallAsync();
        var queue = scenario.Id("q");

        var stale = await call.AcceptAsync(agent.AgentId, offer.Epoch + 1);

        Assert.Equal(CommandStatus.StaleEpoch, stale.Status);
        Assert.Equal(PresenceState.Reserved, (await scenario.AgentStatusAsync(agent)).Presence.State);
        Assert.Equal(agent.AgentId, Assert.Single((await scenario.Queue(queue).GetStatusAsync()).Waiting).OfferedToAgentId);
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, offer.Epoch)).Status);
    }

    [Fact]
    public async Task Accept_Duplicate_HasNoSecondEffect()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, offer) = await scenario.OfferedCallAsync();

        var first = await call.AcceptAsync(agent.AgentId, offer.Epoch);
        var again = await call.AcceptAsync(agent.AgentId, offer.Epoch);

        Assert.Equal(CommandStatus.Ok, first.Status);
        Assert.Equal(CommandStatus.AlreadyDone, again.Status);
        var snapshot = await call.GetAsync();
        Assert.Single(snapshot.Timeline, e => e.Kind == CallEventKind.Accepted);
        Assert.Single((await scenario.AgentStatusAsync(agent)).Calls);
    }

    [Fact]
    public async Task Accept_ByAgentWithoutTheOffer_IsRefused()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var offered = await scenario.AgentAsync("a");
        var call = await scenario.CallAsync("q");
        var offer = await offered.NextOfferAsync("offer");
        var intruder = await scenario.AgentAsync("b", login: false);

        var result = await call.AcceptAsync(intruder.AgentId, offer.Epoch);

        Assert.Equal(CommandStatus.StaleEpoch, result.Status);
        Assert.Contains((await call.GetAsync()).State, new[] { CallState.Queued, CallState.Offered });
        Assert.Equal(PresenceState.Reserved, (await scenario.AgentStatusAsync(offered)).Presence.State);
    }

    [Fact]
    public async Task Offer_WithSeveralIdleAgents_GoesToExactlyOne()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agents = new[] { await scenario.AgentAsync("a"), await scenario.AgentAsync("b"), await scenario.AgentAsync("c") };
        var call = await scenario.CallAsync("q");

        var reserved = new List<AgentStatus>();
        foreach (var agent in agents)
        {
            reserved.Add(await scenario.AgentStatusAsync(agent));
        }

        var holder = Assert.Single(reserved, status => status.Offer?.CallId == call.GetPrimaryKeyString());
        Assert.Equal(PresenceState.Reserved, holder.Presence.State);
        Assert.All(reserved.Where(status => status != holder), status => Assert.Equal(PresenceState.Available, status.Presence.State));
    }

    [Fact]
    public async Task Logout_WhileReserved_ReturnsTheCallToItsQueue()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q");
        var leaving = await scenario.AgentAsync("leaving");
        var call = await scenario.CallAsync("q");
        await leaving.NextOfferAsync("offer to the agent about to log out");

        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(leaving.AgentId).LogoutAsync()).Status);
        var staying = await scenario.AgentAsync("staying");
        var offer = await staying.NextOfferAsync("offer after the first agent logged out");

        Assert.Equal(call.GetPrimaryKeyString(), offer.CallId);
        Assert.Equal(PresenceState.LoggedOut, (await scenario.AgentStatusAsync(leaving)).Presence.State);
        Assert.Equal(queue.Id, offer.QueueId);
    }

    [Fact]
    public async Task Logout_WhileBusy_IsRefusedAndKeepsTheCall()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, offer) = await scenario.OfferedCallAsync();
        await call.AcceptAsync(agent.AgentId, offer.Epoch);

        var logout = await scenario.Agent(agent.AgentId).LogoutAsync();

        Assert.Equal(CommandStatus.InvalidState, logout.Status);
        Assert.Equal(PresenceState.Busy, (await scenario.AgentStatusAsync(agent)).Presence.State);
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task NotReady_WhileBusy_AppliesAfterTheCall()
    {
        var scenario = new Scenario(fixture);
        var (call, agent, offer) = await scenario.OfferedCallAsync();
        await call.AcceptAsync(agent.AgentId, offer.Epoch);

        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).SetNotReadyAsync("lunch")).Status);
        Assert.Equal(PresenceState.Busy, (await scenario.AgentStatusAsync(agent)).Presence.State);
        await call.HangUpAsync(CallParty.Caller);

        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.NotReady, status.Presence.State);
        Assert.Equal("lunch", status.Presence.ReasonCode);
    }

    [Fact]
    public async Task NotReady_WithUnknownReason_IsRejected()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");

        var result = await scenario.Agent(agent.AgentId).SetNotReadyAsync("nap");

        Assert.Equal(CommandStatus.InvalidArgument, result.Status);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(agent)).Presence.State);
    }
}
