using CallCenter.Grains;
using CallCenter.Grains.Contracts;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

/// <summary>
/// Faults are not charged to agents: an offer the agent's phone could never ring, or that the platform failed, leaves
/// the agent Available (no missed offer) and goes to another agent; only a reachable device that rang unanswered, or
/// an agent that declined, makes the agent NotReady("missed offer").
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OfferFaultTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(OfferOutcome.DeviceUnreachable, false)]
    [InlineData(OfferOutcome.InfrastructureFault, false)]
    [InlineData(OfferOutcome.NotAnswered, true)]
    [InlineData(OfferOutcome.Declined, true)]
    public async Task EdgeReportsTheOfferFailed_OnlyTheAgentsOwnDoingIsCharged_TheCallGoesToAnotherAgent(OfferOutcome outcome, bool charged)
    {
        var scenario = new Scenario(fixture);
        var (call, first, second, offeredTo, epoch) = await EdgeCallOfferedToOneOfTwoAsync(scenario, "failed");

        Assert.Equal(CommandStatus.Ok, (await call.OfferFailedAsync(offeredTo.AgentId, epoch, outcome)).Status);

        await AssertChargedAsync(scenario, offeredTo, charged);
        var other = offeredTo == first ? second : first;
        await Eventually.HoldsAsync(
            async () => (await call.GetAsync()) is { State: CallState.Offered } snapshot && snapshot.OfferedAgentId == other.AgentId,
            "the call offered to the other agent");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task PhoneOfferExpires_ChargedOnlyWhenTheEdgeReportedThePhoneRinging(bool rang, bool charged)
    {
        var scenario = new Scenario(fixture);
        var (call, first, second, offeredTo, epoch) = await EdgeCallOfferedToOneOfTwoAsync(scenario, "expired");
        if (rang)
        {
            await call.OfferRingingAsync(offeredTo.AgentId, epoch);
        }

        // The edge that should ring the phone is gone (or the phone never answered): the offer's lease runs out.
        scenario.Advance(TimeSpan.FromSeconds(11));
        await scenario.Queue(scenario.Id("q")).ProcessDueWorkAsync();

        await AssertChargedAsync(scenario, offeredTo, charged);
        var other = offeredTo == first ? second : first;
        await Eventually.HoldsAsync(
            async () => (await call.GetAsync()) is { State: CallState.Offered } snapshot && snapshot.OfferedAgentId == other.AgentId,
            "the call offered to the other agent");
    }

    [Fact]
    public async Task PhoneAcceptHeldUpPastTheOffersExpiry_ConnectsWithoutChargingTheAgent()
    {
        var scenario = new Scenario(fixture);
        var (call, _, _, offeredTo, epoch) = await EdgeCallOfferedToOneOfTwoAsync(scenario, "late-accept");
        await call.OfferRingingAsync(offeredTo.AgentId, epoch);

        // The phone answered while it rang; the accept was held up on a frozen silo past the lease (the queue still holds
        // the offer: LateAcceptTests covers an offer the queue took back meanwhile).
        scenario.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(offeredTo.AgentId, epoch)).Status);

        var status = await scenario.AgentStatusAsync(offeredTo);
        Assert.Equal((PresenceState.Busy, 0), (status.Presence.State, status.Counters.MissedOffers));
    }

    [Fact]
    public async Task OfferWhoseQueueNeverSettledIt_FreesTheAgentWithoutCharge()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var reservations = scenario.Grains.GetGrain<IAgentReservations>(agent.AgentId);
        Assert.True(await reservations.TryReserveAsync(new OfferLease
        {
            CallId = scenario.Id("orphan"),
            QueueId = scenario.Id("lost-queue"),
            AgentId = agent.AgentId,
            Epoch = 1,
            ExpiresAt = fixture.Clock.GetUtcNow().AddSeconds(10),
        }));

        // The queue that made the offer was lost with its silo: the agent frees itself.
        scenario.Advance(TimeSpan.FromMinutes(1));
        await scenario.Agent(agent.AgentId).ProcessDueWorkAsync();

        await AssertChargedAsync(scenario, agent, charged: false);
    }

    [Fact]
    public async Task ReOfferOvertakingTheWithdrawalOfTheFailedOffer_LeavesTheCallOfferedToTheNewAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");
        var notices = call.AsReference<ICallNotices>();
        OfferLease Lease(string agentId, long epoch) => new()
        {
            CallId = scenario.Id("any"),
            QueueId = scenario.Id("q"),
            AgentId = agentId,
            Epoch = epoch,
            ExpiresAt = fixture.Clock.GetUtcNow().AddSeconds(10),
        };

        // One-way notices from the queue: the re-offer to b arrives before the withdrawal of a's failed offer.
        await notices.OfferedAsync(Lease("a", 1));
        await notices.OfferedAsync(Lease("b", 2));
        await notices.OfferWithdrawnAsync(Lease("a", 1), CallEventKind.OfferExpired);

        // Whatever order the one-way notices are processed in, the call ends up offered to b.
        await Eventually.HoldsAsync(
            async () => await call.GetAsync() is { State: CallState.Offered, OfferedAgentId: "b", OfferEpoch: 2 },
            "the call offered to b, not left Queued by a's late withdrawal");
    }

    [Theory]
    [InlineData(486, true, true)]
    [InlineData(486, false, true)]
    [InlineData(603, false, true)]
    [InlineData(600, false, true)]
    [InlineData(480, true, true)]
    [InlineData(408, true, true)]
    [InlineData(404, true, true)]
    [InlineData(408, false, false)]
    [InlineData(404, false, false)]
    [InlineData(500, true, false)]
    [InlineData(503, false, false)]
    [InlineData(504, true, false)]
    [InlineData(0, false, false)]
    public void PhoneResponses_ChargeTheAgentOnlyWhenTheDeviceItselfRefusedOrRangUnanswered(int status, bool rang, bool charged) =>
        Assert.Equal(charged, OfferOutcomes.OfPhoneResponse(status, rang).ChargesAgent());

    private static async Task AssertChargedAsync(Scenario scenario, AgentProbe agent, bool charged)
    {
        await Eventually.HoldsAsync(
            async () => (await scenario.AgentStatusAsync(agent)) is { Offer: null } status
                && (charged
                    ? status.Presence is { State: PresenceState.NotReady, ReasonCode: ReasonCodes.MissedOffer } && status.Counters.MissedOffers == 1
                    : status.Presence.State is PresenceState.Available or PresenceState.Reserved && status.Counters.MissedOffers == 0),
            charged ? "the agent NotReady for a missed offer" : "the agent not charged with the failed offer");
    }

    private async Task<(ICallGrain Call, AgentProbe First, AgentProbe Second, AgentProbe OfferedTo, long Epoch)> EdgeCallOfferedToOneOfTwoAsync(Scenario scenario, string name)
    {
        await scenario.QueueAsync("q", q => q with { AcceptTimeoutSeconds = 10 });
        var first = await scenario.AgentAsync("a");
        var second = await scenario.AgentAsync("b");
        foreach (var agent in new[] { first, second })
        {
            await scenario.Agent(agent.AgentId).SetPhoneAsync($"sip:{agent.AgentId}@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddHours(1));
        }

        await scenario.WaitUntilIdleInQueuesAsync(first.AgentId);
        await scenario.WaitUntilIdleInQueuesAsync(second.AgentId);
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id(name));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));
        CallSnapshot? offered = null;
        await Eventually.HoldsAsync(async () => (offered = await call.GetAsync()) is { State: CallState.Offered }, "the edge call offered");
        var offeredTo = offered!.OfferedAgentId == first.AgentId ? first : second;
        return (call, first, second, offeredTo, offered.OfferEpoch!.Value);
    }
}
