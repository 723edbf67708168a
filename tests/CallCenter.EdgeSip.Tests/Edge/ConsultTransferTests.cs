using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>Attended transfer through the edge: the agent consults a colleague on the colleague's phone while the caller waits.</summary>
[Collection(EdgeCollection.Name)]
public sealed class ConsultTransferTests(EdgeFixture fixture)
{
    [Fact]
    public async Task ConsultThenComplete_TheFirstPhoneIsReleased_AndTheColleagueKeepsTheCaller()
    {
        await using var session = new EdgeSession(fixture);
        await using var first = await session.StartAgentPhoneAsync("ora");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);
        var call = await session.ConnectedCallOfAsync("ora");

        // The colleague's phone registers only now, so the queue could not have offered the call to it.
        await using var colleague = await session.StartAgentPhoneAsync("pam");
        Assert.Equal(CommandStatus.Ok, (await call.StartConsultAsync(new ConsultRequest { AgentId = "ora", Target = "pam" })).Status);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).Consult?.Answered == true, "the colleague's phone answering the consult");

        Assert.Equal(CommandStatus.Ok, (await call.CompleteConsultAsync("ora")).Status);

        Assert.True((await first.WaitForExitAsync()).Succeeded, "the consulting agent's phone gets the edge's BYE");
        var handedOver = await call.GetAsync();
        Assert.Equal(CallState.Connected, handedOver.State);
        Assert.Equal("pam", handedOver.AgentId);
        Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Agent)).Status);
        Assert.True((await colleague.WaitForExitAsync()).Succeeded, "the colleague's phone is released when the call ends");
        var callerResult = await calling;
        Assert.True(callerResult.Succeeded, callerResult.Describe());
        var ended = await call.GetAsync();
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(
            [CallEventKind.ConsultStarted, CallEventKind.ConsultAnswered, CallEventKind.ConsultEnded, CallEventKind.Transferred],
            ended.Timeline.Where(e => e.Kind is CallEventKind.ConsultStarted or CallEventKind.ConsultAnswered or CallEventKind.ConsultEnded or CallEventKind.Transferred).Select(e => e.Kind));
    }

    [Fact]
    public async Task ConsultThenCancel_TheColleaguesPhoneIsReleased_AndTheCallerIsBackWithTheAgent()
    {
        await using var session = new EdgeSession(fixture);
        await using var first = await session.StartAgentPhoneAsync("quin");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);
        var call = await session.ConnectedCallOfAsync("quin");
        await using var colleague = await session.StartAgentPhoneAsync("rex");
        await call.StartConsultAsync(new ConsultRequest { AgentId = "quin", Target = "rex" });
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).Consult?.Answered == true, "the colleague's phone answering the consult");

        Assert.Equal(CommandStatus.Ok, (await call.CancelConsultAsync("quin")).Status);

        Assert.True((await colleague.WaitForExitAsync()).Succeeded, "the colleague's phone gets the edge's BYE");
        var back = await call.GetAsync();
        Assert.Equal(CallState.Connected, back.State);
        Assert.Equal("quin", back.AgentId);
        Assert.Equal(PresenceState.Available, (await fixture.Grains.GetGrain<IAgentGrain>("rex").GetStatusAsync()).Presence.State);
        Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Agent)).Status);
        Assert.True((await first.WaitForExitAsync()).Succeeded, "the agent's phone is released when the call ends");
        var callerResult = await calling;
        Assert.True(callerResult.Succeeded, callerResult.Describe());
    }

    [Fact]
    public async Task ConsultAPartnerExpert_ThenComplete_TheExpertsLineKeepsTheCaller_UntilTheExpertHangsUp()
    {
        await using var session = new EdgeSession(fixture);
        await using var agentPhone = await session.StartAgentPhoneAsync("sid");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);
        var call = await session.ConnectedCallOfAsync("sid");
        var (expertPhone, expertUri) = await EdgeSession.StartExternalPhoneAsync(byeAfterMs: 5000);
        await using var expert = expertPhone;

        Assert.Equal(CommandStatus.Ok, (await call.StartConsultAsync(new ConsultRequest { AgentId = "sid", Kind = TransferKind.External, Target = expertUri })).Status);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).Consult?.Answered == true, "the expert's line answering the consult");
        Assert.Equal(CommandStatus.Ok, (await call.CompleteConsultAsync("sid")).Status);

        Assert.True((await agentPhone.WaitForExitAsync()).Succeeded, "the agent's phone gets the edge's BYE");
        Assert.True((await expert.WaitForExitAsync()).Succeeded, "the expert talks to the caller, then hangs up");
        var callerResult = await calling;
        Assert.True(callerResult.Succeeded, "the caller gets BYE when the expert hangs up: " + callerResult.Describe());
        var ended = await call.GetAsync();
        Assert.Equal(CallOutcome.TransferredOut, ended.Outcome);
        Assert.Equal(expertUri, ended.OutcomeDetail);
    }

    [Fact]
    public async Task BlindTransferToAPartnerExpertUri_ByTheApi_TheEdgeDialsIt_AndKeepsTheCallersMedia()
    {
        await using var session = new EdgeSession(fixture);
        await using var agentPhone = await session.StartAgentPhoneAsync("uma");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);
        var call = await session.ConnectedCallOfAsync("uma");
        var (expertPhone, expertUri) = await EdgeSession.StartExternalPhoneAsync(byeAfterMs: 2000);
        await using var expert = expertPhone;

        var transferred = await call.TransferAsync(new TransferRequest { Kind = TransferKind.External, Target = expertUri, RequestedByAgentId = "uma" });

        Assert.Equal(CommandStatus.Ok, transferred.Status);
        Assert.True((await agentPhone.WaitForExitAsync()).Succeeded, "the agent's phone gets the edge's BYE");
        Assert.True((await expert.WaitForExitAsync()).Succeeded, "the edge dials the expert, who answers and hangs up");
        var callerResult = await calling;
        Assert.True(callerResult.Succeeded, callerResult.Describe());
        Assert.Equal(CallOutcome.TransferredOut, (await call.GetAsync()).Outcome);
    }
}
