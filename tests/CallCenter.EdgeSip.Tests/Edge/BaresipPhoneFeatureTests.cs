using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// baresip as an agent's phone, driven through its ctrl_tcp module as a person would use its menu: hold and resume
/// (re-INVITE with sendonly, then sendrecv) and a blind transfer (REFER) to one of our own entry points.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class BaresipPhoneFeatureTests(EdgeFixture fixture)
{
    [Fact]
    public async Task BaresipAgentPhone_HoldsResumesAndTransfersToOurEntryPoint_FromThePhone()
    {
        await using var session = new EdgeSession(fixture);
        await using var agentPhone = await session.StartBaresipAgentPhoneAsync("uma", 600, control: true);
        var callerNumber = EdgeSession.NewCallerNumber();
        await using var caller = await BaresipProcess.StartAsync(new BaresipOptions
        {
            User = callerNumber,
            ToneFrequency = 1000,
            Dial = $"sip:7001@127.0.0.1:{fixture.Edge.Port}",
        });
        await agentPhone.WaitForCallsEstablishedAsync(1, TimeSpan.FromSeconds(30));
        var call = await session.ConnectedCallOfAsync("uma");
        var edgeCall = fixture.Edge.FindCall((await call.GetAsync()).AttachedData["sip.callId"])!;

        // Hold: baresip offers sendonly, the edge answers recvonly and sends the phone nothing; the caller is Held.
        var hold = await agentPhone.CommandAsync("hold");
        Assert.True(hold.Ok, hold.Data + "\n" + agentPhone.Output);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Held, "held from the phone");
        Assert.True(edgeCall.AgentMedia!.Muted);

        var resume = await agentPhone.CommandAsync("resume");
        Assert.True(resume.Ok, resume.Data + "\n" + agentPhone.Output);
        await Eventually.HoldsAsync(async () => (await call.GetAsync()).State == CallState.Connected, "resumed from the phone");
        Assert.False(edgeCall.AgentMedia!.Muted);

        // Blind transfer to 7002, an entry point of ours: the call goes to its queue through the grain, the caller stays.
        var transfer = await agentPhone.CommandAsync("transfer", $"sip:7002@127.0.0.1:{fixture.Edge.Port}");
        Assert.True(transfer.Ok, transfer.Data + "\n" + agentPhone.Output);
        await Eventually.HoldsAsync(
            async () => (await call.GetAsync()).Timeline.Any(e => e.Kind == CallEventKind.Transferred && e.Detail == "Queue:edge-support"),
            "transferred to the entry point's queue",
            detail: () => agentPhone.Output);

        // baresip 1.0.0 ends its own leg after the NOTIFY without logging it; the queue may offer the call to uma
        // again (wrap-up 0), which its phone answers. Either way the caller never left.
        Assert.False(CallerGone(caller), caller.Output);

        await call.HangUpAsync(CallParty.System, "test over");
        // Ended before an agent talks again, the edge plays the all-busy prompt before its BYE.
        await Eventually.HoldsAsync(() => Task.FromResult(CallerGone(caller)), "the edge's BYE reached the caller", seconds: 30, detail: () => caller.Output);
        var ended = await session.EndedCallOfAsync(callerNumber);
        Assert.Equal([CallEventKind.Held, CallEventKind.Resumed], ended.Timeline.Where(e => e.Kind is CallEventKind.Held or CallEventKind.Resumed).Select(e => e.Kind));
    }

    /// <summary>baresip 1.0.0 logs a BYE it receives as "session closed" (ECONNRESET), its own hang-up as "terminated".</summary>
    private static bool CallerGone(BaresipProcess caller) =>
        caller.CallsClosed > 0 || caller.Output.Contains("session closed", StringComparison.Ordinal);
}
