using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// An agent phone's REFER whose target is one of our own numbers (sip:7002@the edge) is a transfer inside the contact
/// center, through the call grain, never an INVITE from the edge to itself.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class ReferInsideTests(EdgeFixture fixture)
{
    [Fact]
    public async Task ReferToOurEntryPoint_FromTheAgentPhone_TransfersToItsQueue_AndTheCallerStays()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("max", SippScenarios.AgentPhoneRefer, new Dictionary<string, string>
        {
            // 7002 is an entry point of the configuration (queue edge-support); the scenario writes sip:7002@<edge host:port>.
            ["refer_to"] = "7002",
            ["refer_after_ms"] = "1000",
        });
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);
        var max = fixture.Grains.GetGrain<IAgentGrain>("max");
        await Eventually.HoldsAsync(async () => (await max.GetStatusAsync()).Calls.Count == 1, "max talking");
        var grain = fixture.Grains.GetGrain<ICallGrain>((await max.GetStatusAsync()).Calls[0].CallId);

        var referring = await phone.WaitForExitAsync();
        Assert.True(referring.Succeeded, "max's phone: REFER, 202, NOTIFY with 200 OK, then the edge's BYE: " + referring.Describe());
        await Eventually.HoldsAsync(
            async () => (await grain.GetAsync()).Timeline.Any(e => e.Kind == CallEventKind.Transferred && e.Detail == "Queue:edge-support"),
            "the call transferred to the entry point's queue");
        await max.LogoutAsync();
        var transferred = await grain.GetAsync();
        Assert.NotEqual(CallState.Ended, transferred.State);
        Assert.Equal("edge-support", transferred.QueueId);

        // The caller is still there (no loop through the edge): the grain ends the call and the edge sends the BYE.
        await grain.HangUpAsync(CallParty.System, "test over");
        var call = await calling;
        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(grain.GetPrimaryKeyString(), ended.CallId);
        Assert.Single(ended.Timeline, e => e.Kind == CallEventKind.Transferred);
    }
}
