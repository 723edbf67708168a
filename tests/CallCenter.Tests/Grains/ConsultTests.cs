using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

/// <summary>Consult calls (attended transfer): the caller waits while the agent talks to a colleague or a partner expert.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsultTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ConsultAColleague_ThenComplete_HandsTheCallOver_AndFreesTheFirstAgent()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(first);
        var colleague = await scenario.AgentAsync("b");

        var started = await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = colleague.AgentId });

        Assert.Equal(CommandStatus.Ok, started.Status);
        var consulting = await call.GetAsync();
        Assert.Equal(CallState.Consulting, consulting.State);
        Assert.Equal(new Consultation(TransferKind.Agent, colleague.AgentId, consulting.Consult!.Epoch), consulting.Consult);
        Assert.Equal(PresenceState.Reserved, (await scenario.AgentStatusAsync(colleague)).Presence.State);
        Assert.Equal(call.GetPrimaryKeyString(), (await colleague.NextOfferAsync("the consult reserves the colleague")).CallId);

        // While reserved for the consult, the colleague is not offered a new call.
        var waiting = await scenario.CallAsync("q");
        Assert.Equal(CallState.Queued, (await waiting.GetAsync()).State);

        Assert.Equal(CommandStatus.Ok, (await call.ConsultAnsweredAsync()).Status);
        Assert.True((await call.GetAsync()).Consult!.Answered);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.ConsultAnsweredAsync()).Status);
        Assert.Equal(CommandStatus.Ok, (await call.CompleteConsultAsync(first.AgentId)).Status);

        var handedOver = await call.GetAsync();
        Assert.Equal(CallState.Connected, handedOver.State);
        Assert.Equal(colleague.AgentId, handedOver.AgentId);
        Assert.Null(handedOver.Consult);
        Assert.Equal(
            [CallEventKind.ConsultStarted, CallEventKind.ConsultAnswered, CallEventKind.ConsultEnded, CallEventKind.Transferred, CallEventKind.Connected],
            handedOver.Timeline.SkipWhile(e => e.Kind != CallEventKind.ConsultStarted).Select(e => e.Kind));
        Assert.Equal("completed", handedOver.Timeline.Single(e => e.Kind == CallEventKind.ConsultEnded).Detail);
        Assert.Equal(PresenceState.Busy, (await scenario.AgentStatusAsync(colleague)).Presence.State);

        // The first agent is free again and takes the waiting call.
        var next = await first.NextOfferAsync("the first agent is free after the hand-over");
        Assert.Equal(waiting.GetPrimaryKeyString(), next.CallId);

        Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Agent)).Status);
        Assert.Equal(CallOutcome.Answered, (await call.GetAsync()).Outcome);
    }

    [Fact]
    public async Task CancelledConsult_GivesTheCallerBackToTheAgent_AndFreesTheColleague()
    {
        var (scenario, first, call, colleague) = await ConsultingCallAsync();

        Assert.Equal(CommandStatus.Ok, (await call.CancelConsultAsync(first.AgentId)).Status);

        var back = await call.GetAsync();
        Assert.Equal(CallState.Connected, back.State);
        Assert.Equal(first.AgentId, back.AgentId);
        Assert.Null(back.Consult);
        Assert.Equal("cancelled", back.Timeline.Last().Detail);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(colleague)).Presence.State);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.CancelConsultAsync(first.AgentId)).Status);
    }

    [Fact]
    public async Task ConsultedPartyGone_TheEdgeCancels_WithItsReason()
    {
        var (scenario, first, call, colleague) = await ConsultingCallAsync();

        Assert.Equal(CommandStatus.Ok, (await call.CancelConsultAsync(null, "consulted party hung up")).Status);

        Assert.Equal("consulted party hung up", (await call.GetAsync()).Timeline.Last().Detail);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(colleague)).Presence.State);
    }

    [Fact]
    public async Task CallerHangsUpDuringConsult_CallIsAnswered_AndBothAgentsAreFreed()
    {
        var (scenario, first, call, colleague) = await ConsultingCallAsync();

        await call.HangUpAsync(CallParty.Caller);

        Assert.Equal(CallOutcome.Answered, (await call.GetAsync()).Outcome);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(colleague)).Presence.State);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(first)).Presence.State);
    }

    [Fact]
    public async Task ConsultAPartnerExpert_ThenComplete_TheCallLeavesToTheExpert()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(first);

        var started = await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Kind = TransferKind.External, Target = "sip:expert@partner.example" });
        Assert.Equal(CommandStatus.Ok, started.Status);
        Assert.Equal(CommandStatus.Ok, (await call.CompleteConsultAsync(first.AgentId)).Status);

        var ended = await call.GetAsync();
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(CallOutcome.TransferredOut, ended.Outcome);
        Assert.Equal("sip:expert@partner.example", ended.OutcomeDetail);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(first)).Presence.State);
    }

    [Fact]
    public async Task ConsultRequests_ThatCannotBeHonoured_AreRefusedWithAReason_AndChangeNothing()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(first);
        var away = await scenario.AgentAsync("away", login: false);
        var colleague = await scenario.AgentAsync("b");

        Assert.Equal(CommandStatus.Refused, (await call.StartConsultAsync(new ConsultRequest { AgentId = colleague.AgentId, Target = first.AgentId })).Status);
        Assert.Equal(CommandStatus.InvalidArgument, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = first.AgentId })).Status);
        Assert.Equal(CommandStatus.InvalidArgument, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = " " })).Status);
        Assert.Equal(CommandStatus.InvalidArgument, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Kind = TransferKind.Queue, Target = scenario.Id("q") })).Status);
        var refused = await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = away.AgentId });
        Assert.Equal(CommandStatus.Refused, refused.Status);
        Assert.Contains("not available", refused.Message);
        Assert.Equal(CallState.Connected, (await call.GetAsync()).State);

        Assert.Equal(CommandStatus.Ok, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = colleague.AgentId })).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = colleague.AgentId })).Status);
        Assert.Equal(CommandStatus.InvalidState, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Kind = TransferKind.External, Target = "tel:+4412" })).Status);
        Assert.Equal(CommandStatus.InvalidState, (await call.TransferAsync(new TransferRequest { Kind = TransferKind.Queue, Target = scenario.Id("q") })).Status);
        Assert.Equal(CommandStatus.Refused, (await call.CompleteConsultAsync(colleague.AgentId)).Status);
        Assert.Equal(CommandStatus.Refused, (await call.CancelConsultAsync(colleague.AgentId)).Status);
        Assert.Equal(CallState.Consulting, (await call.GetAsync()).State);
    }

    [Fact]
    public async Task EdgeCall_ConsultNeedsAColleagueWithAPhone()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("a");
        await scenario.Agent(first.AgentId).SetPhoneAsync("sip:a@127.0.0.1:5070", fixture.Clock.GetUtcNow().AddMinutes(5));
        var call = scenario.Grains.GetGrain<ICallGrain>(scenario.Id("edge-call"));
        await call.ArriveAsync(new CallArrival { SiteId = "north", MediaManagedByEdge = true });
        await call.EnqueueAsync(scenario.Id("q"));
        var offer = await first.NextOfferAsync("offer of the edge call");
        await call.AcceptAsync(first.AgentId, offer.Epoch);
        await call.MediaConnectedAsync();
        var phoneless = await scenario.AgentAsync("b");

        var refused = await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = phoneless.AgentId });

        Assert.Equal(CommandStatus.Refused, refused.Status);
        Assert.Contains("no phone", refused.Message);
        Assert.Equal(PresenceState.Available, (await scenario.AgentStatusAsync(phoneless)).Presence.State);
    }

    /// <summary>Agent "a" talks to a caller and consults agent "b".</summary>
    private async Task<(Scenario Scenario, AgentProbe First, ICallGrain Call, AgentProbe Colleague)> ConsultingCallAsync()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var first = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(first);
        var colleague = await scenario.AgentAsync("b");
        Assert.Equal(CommandStatus.Ok, (await call.StartConsultAsync(new ConsultRequest { AgentId = first.AgentId, Target = colleague.AgentId })).Status);
        return (scenario, first, call, colleague);
    }
}
