using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

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
}
