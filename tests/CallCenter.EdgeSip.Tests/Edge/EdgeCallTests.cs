using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>Calls through the edge with real SIPp callers and SIPp agent phones on loopback, checked in the grains.</summary>
[Collection(EdgeCollection.Name)]
public sealed class EdgeCallTests(EdgeFixture fixture)
{
    [Theory]
    [InlineData(SipTransport.Udp, "ann")]
    [InlineData(SipTransport.Tcp, "ben")]
    public async Task AnsweredCall_AgentPhoneHangsUp_TheEdgeByesTheCaller_AndTheCallIsAnswered(SipTransport transport, string agentId)
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync(agentId, byeAfterMs: 1500, transport: transport);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller, transport: transport);

        Assert.True(call.Succeeded, call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, agent.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("edge-sales", ended.QueueId);
        Assert.Equal(agentId, ended.Timeline.Single(e => e.Kind == CallEventKind.Accepted).AgentId);
        Assert.Contains(ended.Timeline, e => e.Kind == CallEventKind.Connected);
        Assert.Equal("7001", ended.Arrival!.DialledNumber);
        Assert.True(ended.Arrival.MediaManagedByEdge);
    }

    [Fact]
    public async Task CallerHangsUpWhileTalking_EdgeByesTheAgentPhone_AndTheCallIsAnswered()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("cat");
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerHangsUp, "7002", caller, new Dictionary<string, string> { ["hold_ms"] = "3000" });

        Assert.True(call.Succeeded, call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "the phone gets the edge's BYE: " + agent.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("hung up by caller", ended.OutcomeDetail);
        Assert.Equal(PresenceState.Available, (await fixture.Grains.GetGrain<IAgentGrain>("cat").GetStatusAsync()).Presence.State);
    }

    [Fact]
    public async Task CallerHangsUpInTheQueue_IsAbandonedInQueue()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        // No agent of edge-support has a registered phone that is free for this caller, so the call waits.
        var call = await session.CallAsync(SippScenarios.CallerHangsUp, "7000", caller, new Dictionary<string, string> { ["hold_ms"] = "2000" });

        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Abandoned, ended.Outcome);
        Assert.Contains(ended.OutcomeDetail, new[] { "abandoned in IVR", "abandoned in queue" });
    }

    [Fact]
    public async Task CallerCancelsWhileRinging_Gets487_AndIsAbandoned()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerCancel, "7003", caller, new Dictionary<string, string> { ["cancel_after_ms"] = "500" }, ignorePauses: true);

        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Abandoned, ended.Outcome);
        Assert.Equal("abandoned in IVR", ended.OutcomeDetail);
    }

    [Fact]
    public async Task IvrKeys_CollectTheAccountAndChooseTheQueue_BeforeTheAgentAnswers()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("dan", byeAfterMs: 1000);
        var caller = EdgeSession.NewCallerNumber();

        // Account 4321, then 1 for sales; the keys barge in on the prompts.
        var call = await session.CallAsync(SippScenarios.CallerDtmf, "7100", caller, new Dictionary<string, string>
        {
            ["digits"] = "43211",
            ["dtmf_delay_ms"] = "1000",
            ["dtmf_gap_ms"] = "400",
        });

        Assert.True(call.Succeeded, call.Describe());
        Assert.True((await phone.WaitForExitAsync()).Succeeded);
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal("4321", ended.AttachedData["account"]);
        Assert.Equal("1", ended.AttachedData["ivr.choice"]);
        Assert.Equal("edge-sales", ended.QueueId);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Contains(ended.Timeline, e => e.Kind == CallEventKind.EnteredIvr);
    }

    [Fact]
    public async Task Survey_KeyAfterTheAgentHangsUp_IsStoredOnTheCall()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("eve", byeAfterMs: 1000);
        var caller = EdgeSession.NewCallerNumber();

        // The agent hangs up about 1 s after answering; the survey prompt plays and waits 5 s more for a key.
        var call = await session.CallAsync(SippScenarios.CallerDtmf, "7001", caller, new Dictionary<string, string>
        {
            ["digits"] = "4",
            ["dtmf_delay_ms"] = "5000",
        });

        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        await Eventually.HoldsAsync(async () => (await fixture.Grains.GetGrain<ICallGrain>(ended.CallId).GetAsync()).SurveyRating == 4, "the survey rating");
    }

    [Fact]
    public async Task Recording_HoldsTheCallerInOneChannelAndTheAgentInTheOther()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("fay", byeAfterMs: 4000);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);

        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        var path = Path.Combine(fixture.RecordingDirectory, ended.CallId + ".wav");
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(path)), "the recording file");
        var (left, right) = StereoWav.Read(path);
        Assert.True(ToneCheck.Duration(left, 1000) > TimeSpan.FromSeconds(2), "the caller's 1000 Hz tone in the left channel");
        Assert.True(ToneCheck.Duration(right, 600) > TimeSpan.FromSeconds(2), "the agent's 600 Hz tone in the right channel");
        Assert.True(ToneCheck.Duration(left, 600) < TimeSpan.FromSeconds(0.5), "no agent tone on the caller's channel");
    }

    [Fact]
    public async Task TransferToAnAgent_ByTheApi_MovesTheCallerToTheOtherAgentsPhone()
    {
        await using var session = new EdgeSession(fixture);
        await using var first = await session.StartAgentPhoneAsync("gus");
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        var grain = await session.ConnectedCallOfAsync("gus");
        await using var second = await session.StartAgentPhoneAsync("hal", byeAfterMs: 1500);

        var transferred = await grain.TransferAsync(new TransferRequest { Kind = TransferKind.Agent, Target = "hal", RequestedByAgentId = "gus" });

        Assert.Equal(CommandStatus.Ok, transferred.Status);
        Assert.True((await first.WaitForExitAsync()).Succeeded, "the first phone gets the edge's BYE");
        Assert.True((await second.WaitForExitAsync()).Succeeded, "the second phone answers and hangs up");
        var call = await calling;
        Assert.True(call.Succeeded, call.Describe());
        var ended = await grain.GetAsync();
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(["gus", "hal"], ended.Timeline.Where(e => e.Kind == CallEventKind.Accepted).Select(e => e.AgentId));
    }
}
