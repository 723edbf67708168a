using CallCenter.Domain.Routing;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class CallFlowTests(ClusterFixture fixture)
{
    [Fact]
    public async Task HangUp_AfterTalk_IsAnsweredAndAgentWrapsUpUntilDue_AndHandleTimeCountsBoth()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { WrapUpSeconds = 20 });
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        scenario.Advance(TimeSpan.FromSeconds(90));

        await call.HangUpAsync(CallParty.Caller);

        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.Answered, snapshot.Outcome);
        Assert.Single(snapshot.Timeline, e => e.Kind == CallEventKind.Ended);
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.WrapUp, status.Presence.State);
        Assert.Equal(1, status.Counters.Handled);
        Assert.Equal(90, status.Counters.TalkSeconds, 3);

        scenario.Advance(TimeSpan.FromSeconds(19));
        await scenario.Agent(agent.AgentId).ProcessDueWorkAsync();
        Assert.Equal(PresenceState.WrapUp, (await scenario.AgentStatusAsync(agent)).Presence.State);
        scenario.Advance(TimeSpan.FromSeconds(2));
        await scenario.Agent(agent.AgentId).ProcessDueWorkAsync();
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(agent)).Presence.State);
        await Eventually.HoldsAsync(
            async () => (await scenario.Queue(queue.Id).GetStatusAsync()).Totals.AverageHandleTimeSeconds is not null,
            "the agent reporting the handled call to its queue");
        Assert.Equal(90 + 21, (await scenario.Queue(queue.Id).GetStatusAsync()).Totals.AverageHandleTimeSeconds!.Value, 3);
    }

    [Fact]
    public async Task CompleteWrapUp_EndsWrapUpEarly()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { WrapUpSeconds = 300 });
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        await call.HangUpAsync(CallParty.Agent);

        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).CompleteWrapUpAsync()).Status);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(agent)).Presence.State);
    }

    [Fact]
    public async Task HangUp_InIvr_IsAbandonedInIvr()
    {
        var scenario = new Scenario(fixture);
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("ivr"));
        await call.ArriveAsync(new CallArrival { SiteId = "north" });
        await call.EnterIvrAsync();

        await call.HangUpAsync(CallParty.Caller);

        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.Abandoned, snapshot.Outcome);
        Assert.Equal("abandoned in IVR", snapshot.OutcomeDetail);
    }

    [Fact]
    public async Task HangUp_InQueue_IsAbandonedAndLeavesTheQueue()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(12));

        await call.HangUpAsync(CallParty.Caller);
        var again = await call.HangUpAsync(CallParty.Caller);

        Assert.Equal(CommandStatus.AlreadyDone, again.Status);
        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.Abandoned, snapshot.Outcome);
        var status = await scenario.Queue(queue.Id).GetStatusAsync();
        Assert.Empty(status.Waiting);
        Assert.Equal(1, status.Totals.Abandoned);
    }

    [Fact]
    public async Task HangUp_WhileOffered_FreesTheAgentWithoutPenalty()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var call = await scenario.CallAsync("q");
        var offer = await agent.NextOfferAsync("offer");

        await call.HangUpAsync(CallParty.Caller);

        Assert.Equal(CallOutcome.Abandoned, (await call.GetAsync()).Outcome);
        var status = await scenario.AgentStatusAsync(agent);
        Assert.Equal(PresenceState.Available, status.Presence.State);
        Assert.Null(status.Offer);
        Assert.Equal(0, status.Counters.MissedOffers);
        Assert.Equal(CommandStatus.InvalidState, (await call.AcceptAsync(agent.AgentId, offer.Epoch)).Status);
    }

    [Fact]
    public async Task HangUp_BySystemBeforeAnswer_IsFailed()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");

        await call.HangUpAsync(CallParty.System, "trunk lost");

        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.Failed, snapshot.Outcome);
        Assert.Equal("trunk lost", snapshot.OutcomeDetail);
    }

    [Fact]
    public async Task Accept_WhenTheEdgeManagesMedia_ConnectsOnlyWhenMediaIsUp()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a", shape: a => a with { PhoneUri = "sip:a@127.0.0.1:5070" });
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("media"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));
        var offer = await agent.NextOfferAsync("offer");

        await call.AcceptAsync(agent.AgentId, offer.Epoch);
        Assert.Equal(CallState.Connecting, (await call.GetAsync()).State);
        Assert.Equal(CommandStatus.Ok, (await call.MediaConnectedAsync()).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.MediaConnectedAsync()).Status);

        var snapshot = await call.GetAsync();
        Assert.Equal(CallState.Connected, snapshot.State);
        Assert.NotNull(snapshot.ConnectedAt);
    }

    [Fact]
    public async Task AddNote_ByTheHandlingAgent_IsKept_AndOthersAreRefused()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);

        Assert.Equal(CommandStatus.Ok, (await call.AddNoteAsync(agent.AgentId, "customer wants a refund")).Status);
        Assert.Equal(CommandStatus.Refused, (await call.AddNoteAsync("stranger", "hello")).Status);
        Assert.Equal(CommandStatus.InvalidArgument, (await call.AddNoteAsync(agent.AgentId, new string('x', 5000))).Status);

        Assert.Equal(["customer wants a refund"], (await call.GetAsync()).Notes);
    }

    [Fact]
    public async Task HoldAndResume_ByTheCallsAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);

        Assert.Equal(CommandStatus.Refused, (await call.HoldAsync("someone-else")).Status);
        Assert.Equal(CommandStatus.Ok, (await call.HoldAsync(agent.AgentId)).Status);
        Assert.Equal(CallState.Held, (await call.GetAsync()).State);
        Assert.Equal(CommandStatus.Ok, (await call.ResumeAsync(agent.AgentId)).Status);
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task TransferToQueue_KeepsContextAndPriority_AndFreesTheFirstAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("front");
        var specialistQueue = await scenario.QueueAsync("specialists", q => q with { RequiredSkills = [new("billing", 7)] });
        var front = await scenario.AgentAsync("front-agent");
        var specialist = await scenario.AgentAsync("specialist", shape: a => a with { Skills = [new("billing", 9)] }, login: false);
        var (call, _) = await scenario.AnsweredCallAsync(front, "front");
        await call.AttachDataAsync(new Dictionary<string, string> { ["account"] = "12345" });
        await scenario.Agent(front.AgentId).SetNotReadyAsync("break");

        var transfer = await call.TransferAsync(new TransferRequest { Kind = TransferKind.Queue, Target = specialistQueue.Id, RequestedByAgentId = front.AgentId, Note = "billing dispute" });

        Assert.Equal(CommandStatus.Ok, transfer.Status);
        Assert.Equal(PresenceState.NotReady, (await scenario.AgentStatusAsync(front)).Presence.State);
        await scenario.LoginAsync(specialist.AgentId);
        var offer = await specialist.NextOfferAsync("offer of the transferred call");
        Assert.Equal(call.GetPrimaryKeyString(), offer.CallId);
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(specialist.AgentId, offer.Epoch)).Status);
        var snapshot = await call.GetAsync();
        Assert.Equal("12345", snapshot.AttachedData["account"]);
        Assert.Contains("billing dispute", snapshot.Notes);
        Assert.Contains(snapshot.Timeline, e => e.Kind == CallEventKind.Transferred);
        Assert.Equal(CallOutcome.None, snapshot.Outcome);
    }

    [Fact]
    public async Task TransferToUnknownQueue_IsRefusedAndChangesNothing()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);

        var transfer = await call.TransferAsync(new TransferRequest { Kind = TransferKind.Queue, Target = scenario.Id("nowhere"), RequestedByAgentId = agent.AgentId });

        Assert.Equal(CommandStatus.Refused, transfer.Status);
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);
        Assert.Equal(PresenceState.Busy, (await scenario.AgentStatusAsync(agent)).Presence.State);
    }

    [Fact]
    public async Task TransferToNamedAgent_GoesOnlyToThatAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("first");
        var (call, _) = await scenario.AnsweredCallAsync(first);
        var bystander = await scenario.AgentAsync("bystander");
        var named = await scenario.AgentAsync("named");
        scenario.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(CommandStatus.Ok, (await call.TransferAsync(new TransferRequest { Kind = TransferKind.Agent, Target = named.AgentId, RequestedByAgentId = first.AgentId })).Status);

        Assert.Equal(call.GetPrimaryKeyString(), (await named.NextOfferAsync("offer to the named agent")).CallId);
        Assert.False(bystander.TryTakeOffer(out _));
    }

    [Fact]
    public async Task Transfer_ByAnAgentNotHoldingTheCall_IsRefused()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);

        var transfer = await call.TransferAsync(new TransferRequest { Kind = TransferKind.External, Target = "sip:expert@partner.example", RequestedByAgentId = "intruder" });

        Assert.Equal(CommandStatus.Refused, transfer.Status);
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task TransferExternal_EndsTheCallAsTransferredOut()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);

        await call.TransferAsync(new TransferRequest { Kind = TransferKind.External, Target = "sip:expert@partner.example", RequestedByAgentId = agent.AgentId });

        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.TransferredOut, snapshot.Outcome);
        Assert.Equal(CallState.Ended, snapshot.State);
        Assert.Empty((await scenario.AgentStatusAsync(agent)).Calls);
    }

    [Fact]
    public async Task TransferToPartnerExpertQueue_ReachesTheEntitledExpertWithContext()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("front");
        var experts = await scenario.QueueAsync("experts", q => q with
        {
            EntitledPartners = ["acme"],
            Stages = [new() { AfterSeconds = 0, Scope = StageScope.PartnerExperts }],
        });
        var front = await scenario.AgentAsync("front-agent");
        var expert = await scenario.AgentAsync("expert", shape: a => a with { Kind = AgentKind.PartnerExpert, PartnerOrganization = "acme" });
        var (call, _) = await scenario.AnsweredCallAsync(front, "front");
        await call.AttachDataAsync(new Dictionary<string, string> { ["router"] = "X200" });

        await call.TransferAsync(new TransferRequest { Kind = TransferKind.PartnerExpertQueue, Target = experts.Id, RequestedByAgentId = front.AgentId });

        var offer = await expert.NextOfferAsync("offer to the partner expert");
        Assert.Equal(call.GetPrimaryKeyString(), offer.CallId);
        Assert.Equal("X200", (await call.GetAsync()).AttachedData["router"]);
    }

    [Fact]
    public async Task Overflow_ToAnotherQueue_KeepsTheOriginalEnqueueTime()
    {
        var scenario = new Scenario(fixture);
        var target = await scenario.QueueAsync("target");
        var source = await scenario.QueueAsync("source", q => q with { Overflow = new OverflowAction { Kind = OverflowKind.Queue, AfterSeconds = 60, TargetQueueId = target.Id } });
        var overflowing = await scenario.CallAsync("source");
        var firstEnqueued = (await overflowing.GetAsync()).FirstEnqueuedAt;
        scenario.Advance(TimeSpan.FromSeconds(30));
        var local = await scenario.CallAsync("target");

        scenario.Advance(TimeSpan.FromSeconds(31));
        await scenario.Queue(source.Id).ProcessDueWorkAsync();
        await Eventually.HoldsAsync(async () => (await scenario.Queue(target.Id).GetStatusAsync()).Waiting.Count == 2, "overflowed call reaching the target queue");

        var waiting = (await scenario.Queue(target.Id).GetStatusAsync()).Waiting;
        Assert.Equal(overflowing.GetPrimaryKeyString(), waiting[0].CallId);
        Assert.Equal(firstEnqueued, waiting[0].EnqueuedAt);
        Assert.Equal(local.GetPrimaryKeyString(), waiting[1].CallId);
        Assert.Empty((await scenario.Queue(source.Id).GetStatusAsync()).Waiting);
        Assert.Equal(target.Id, (await overflowing.GetAsync()).QueueId);
    }

    [Fact]
    public async Task Overflow_ToCallback_KeepsTheCallersPlace()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { Overflow = new OverflowAction { Kind = OverflowKind.Callback, AfterSeconds = 120 } });
        var call = await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(60));
        var later = await scenario.CallAsync("q");

        scenario.Advance(TimeSpan.FromSeconds(61));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        var callbackId = OverflowPolicy.CallbackCallId(call.GetPrimaryKeyString());
        await Eventually.HoldsAsync(async () => (await scenario.Grains.GetGrain<ICallGrain>(callbackId).GetAsync()).State == CallState.Queued, "callback call created");

        Assert.Equal(CallOutcome.CallbackScheduled, (await call.GetAsync()).Outcome);
        var waiting = (await scenario.Queue(queue.Id).GetStatusAsync()).Waiting;
        Assert.Equal([callbackId, later.GetPrimaryKeyString()], waiting.Select(w => w.CallId));
        Assert.True(waiting[0].IsCallback);
        var agent = await scenario.AgentAsync("a");
        var offer = await agent.NextOfferAsync("offer of the callback");
        Assert.Equal(callbackId, offer.CallId);
        Assert.Equal(CommandStatus.Ok, (await scenario.Grains.GetGrain<ICallGrain>(callbackId).AcceptAsync(agent.AgentId, offer.Epoch)).Status);
    }

    [Fact]
    public async Task Overflow_Disconnect_EndsWithTheAnnouncement()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { Overflow = new OverflowAction { Kind = OverflowKind.Disconnect, AfterSeconds = 30, AnnouncementId = "closed" } });
        var call = await scenario.CallAsync("q");

        scenario.Advance(TimeSpan.FromSeconds(31));
        await scenario.Queue(queue.Id).ProcessDueWorkAsync();
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Ended, "call disconnected by overflow");

        var snapshot = await call.GetAsync();
        Assert.Equal(CallOutcome.Overflowed, snapshot.Outcome);
        Assert.Contains("closed", snapshot.OutcomeDetail);
    }

    [Fact]
    public async Task Enqueue_BeyondMaximumLength_OverflowsAtOnce()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", q => q with { MaxQueueLength = 1 });
        await scenario.CallAsync("q");
        var second = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("second"));
        await second.ArriveAsync(new CallArrival { SiteId = "north" });

        var result = await second.EnqueueAsync(scenario.Id("q"));

        Assert.Equal(EnqueueStatus.QueueFull, result.Status);
        var snapshot = await second.GetAsync();
        Assert.Equal(CallOutcome.Overflowed, snapshot.Outcome);
        Assert.Equal("queue full", snapshot.OutcomeDetail);
    }

    [Fact]
    public async Task AnsweredCall_IsRecordedInTheCustomersHistory()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        await call.HangUpAsync(CallParty.Caller);

        var snapshot = await call.GetAsync();
        var customer = await scenario.Grains.GetGrain<ICustomerGrain>(snapshot.CustomerKey!).GetProfileAsync();

        var contact = Assert.Single(customer.History);
        Assert.Equal(CallOutcome.Answered, contact.Outcome);
        Assert.Equal(agent.AgentId, contact.AgentId);
        Assert.Equal(agent.AgentId, customer.LastAgentId);
    }

    [Fact]
    public async Task AttachData_Oversize_IsRejectedAndKeepsExistingData()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");
        await call.AttachDataAsync(new Dictionary<string, string> { ["ivr"] = "1" });

        var result = await call.AttachDataAsync(new Dictionary<string, string> { ["big"] = new string('x', 10_000) });

        Assert.Equal(CommandStatus.InvalidArgument, result.Status);
        var data = (await call.GetAsync()).AttachedData;
        Assert.Equal("1", data["ivr"]);
        Assert.False(data.ContainsKey("big"));
    }

    [Fact]
    public async Task QueueMetrics_CountOfferedAnsweredAndServiceLevel()
    {
        var scenario = new Scenario(fixture);
        var queue = await scenario.QueueAsync("q", q => q with { ServiceLevelThresholdSeconds = 20 });
        var agent = await scenario.AgentAsync("a");
        var fast = await scenario.CallAsync("q");
        var offer = await agent.NextOfferAsync("fast call");
        scenario.Advance(TimeSpan.FromSeconds(5));
        await fast.AcceptAsync(agent.AgentId, offer.Epoch);
        var slow = await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(60));
        await fast.HangUpAsync(CallParty.Caller);
        var second = await agent.NextOfferAsync("slow call");
        await slow.AcceptAsync(agent.AgentId, second.Epoch);

        var totals = (await scenario.Queue(queue.Id).GetStatusAsync()).Totals;

        Assert.Equal(2, totals.Offered);
        Assert.Equal(2, totals.Answered);
        Assert.Equal(0.5, totals.ServiceLevel);
        Assert.Equal((5 + 60) / 2.0, totals.AverageSpeedOfAnswerSeconds!.Value, 3);
    }
}
