using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// The SIP edge while a silo dies: a SIPp caller waits in the queue, the silo holding its call grain is killed, and the
/// call is still answered by an agent's SIPp phone. Two silos: one of the edge's site (which call grains are placed on)
/// and one of another site, sharing one memory store as they would share Redis.
/// </summary>
public sealed class EdgeFailoverTests : IAsyncLifetime
{
    private readonly EdgeFixture _fixture = EdgeFixture.WithSilos(["elsewhere", EdgeFixture.Site]);

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task TheSiloOfAWaitingCallIsKilled_TheEdgeFindsTheCallAgain_AndAnAgentPhoneAnswersIt()
    {
        await using var session = new EdgeSession(_fixture);
        var caller = EdgeSession.NewCallerNumber();
        var calling = session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);
        var queue = _fixture.Grains.GetGrain<IQueueGrain>("edge-support");
        string? callId = null;
        await Eventually.HoldsAsync(async () =>
        {
            callId = (await queue.GetStatusAsync()).Waiting.FirstOrDefault()?.CallId;
            return callId is not null;
        }, "the SIPp caller waiting in the support queue", seconds: 30);

        // The call's id names the edge's site, so its grain is on that site's silo: kill that silo without a word.
        Assert.Equal(EdgeFixture.Site, CallIds.SiteOf(callId!));
        var siteSilo = _fixture.Cluster.Silos.Single(silo => _fixture.SiteLabels.For(silo.Name) == EdgeFixture.Site);
        await _fixture.Cluster.KillSiloAsync(siteSilo);
        await _fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // An agent's phone registers and the agent becomes available: the call, back from the store on the other silo,
        // is offered, and the edge (which re-attaches to the new activation) rings the phone, which answers and hangs up.
        await using var phone = await session.StartAgentPhoneAsync("ann", byeAfterMs: 1000);
        var call = await calling;

        Assert.True(call.Succeeded, "the caller is answered and gets the edge's BYE: " + call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, agent.Describe());
        var ended = await _fixture.Grains.GetGrain<ICallGrain>(callId!).GetAsync();
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("ann", ended.Timeline.Single(e => e.Kind == CallEventKind.Accepted).AgentId);
        Assert.Contains(ended.Timeline, e => e.Kind == CallEventKind.Connected);
    }
}
