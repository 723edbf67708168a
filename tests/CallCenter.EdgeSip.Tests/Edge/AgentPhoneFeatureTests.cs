using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>What an agent does from the phone (SIPp agent phones): blind transfer by REFER, hold by re-INVITE; and recording pause.</summary>
[Collection(EdgeCollection.Name)]
public sealed class AgentPhoneFeatureTests(EdgeFixture fixture)
{
    [Fact]
    public async Task BlindTransferByRefer_FromTheAgentPhone_MovesTheCallerToTheOtherAgent()
    {
        await using var session = new EdgeSession(fixture);
        await using var first = await session.StartAgentPhoneAsync("jon", SippScenarios.AgentPhoneRefer, new Dictionary<string, string>
        {
            ["refer_to"] = "kim",
            ["refer_after_ms"] = "1000",
        });
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);

        var jon = fixture.Grains.GetGrain<IAgentGrain>("jon");
        await Eventually.HoldsAsync(async () => (await jon.GetStatusAsync()).Calls.Count == 1, "jon talking");
        var grain = fixture.Grains.GetGrain<ICallGrain>((await jon.GetStatusAsync()).Calls[0].CallId);

        // kim is free only once jon has the call, so the queue cannot give it to kim first. A transfer to an agent
        // waits for that agent, so it does not matter whether kim is ready before or after jon's REFER.
        await using var second = await session.StartAgentPhoneAsync("kim", byeAfterMs: 1500);

        var transferring = await first.WaitForExitAsync();
        Assert.True(transferring.Succeeded, "jon's phone: REFER, 202, NOTIFY with 200 OK, then the edge's BYE: " + transferring.Describe());
        var answering = await second.WaitForExitAsync();
        Assert.True(answering.Succeeded, "kim's phone answers the same caller: " + answering.Describe());
        var call = await calling;
        Assert.True(call.Succeeded, call.Describe());

        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(grain.GetPrimaryKeyString(), ended.CallId);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(["jon", "kim"], ended.Timeline.Where(e => e.Kind == CallEventKind.Accepted).Select(e => e.AgentId));
        var transferred = Assert.Single(ended.Timeline, e => e.Kind == CallEventKind.Transferred);
        Assert.Equal("jon", transferred.AgentId);
        Assert.Equal("Agent:kim", transferred.Detail);
        var order = ended.Timeline.Select(e => e.Kind).ToList();
        Assert.True(
            order.IndexOf(CallEventKind.Transferred) > order.IndexOf(CallEventKind.Accepted) && order.IndexOf(CallEventKind.Transferred) < order.LastIndexOf(CallEventKind.Accepted),
            "jon accepted, then transferred, then kim accepted: " + string.Join(", ", order));
    }

    [Fact]
    public async Task HoldAndResumeByReInvite_FromTheAgentPhone_AreOnTheTimeline_AndTheEdgeRepeatsIts200UntilTheAck()
    {
        await using var session = new EdgeSession(fixture);

        // Each re-INVITE's ACK comes 1.2 s after the 200: over UDP the edge must send the 200 again meanwhile (T1 = 500 ms).
        await using var phone = await session.StartAgentPhoneAsync(
            "lee",
            SippScenarios.AgentPhoneHold,
            new Dictionary<string, string> { ["hold_after_ms"] = "1000", ["held_ms"] = "1500", ["bye_after_ms"] = "1000", ["ack_delay_ms"] = "1200" },
            traceMessages: true);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        Assert.True(call.Succeeded, call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "lee's phone: hold, resume, BYE: " + agent.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        var holds = ended.Timeline.Where(e => e.Kind is CallEventKind.Held or CallEventKind.Resumed).ToList();
        Assert.Equal([CallEventKind.Held, CallEventKind.Resumed], holds.Select(e => e.Kind));
        Assert.All(holds, e => Assert.Equal("lee", e.AgentId));

        // On the wire: each re-INVITE's 200 reached the phone more than once before its ACK.
        var received = agent.ReceivedMessages();
        foreach (var cseq in new[] { "CSeq: 2 INVITE", "CSeq: 3 INVITE" })
        {
            var answers = received.Count(message => message.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && message.Contains(cseq, StringComparison.Ordinal));
            Assert.True(answers >= 2, $"the 200 to the re-INVITE ({cseq}) was sent {answers} time(s) before its ACK");
        }
    }
}
