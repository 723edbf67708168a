using System.Net;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Model;
using CallCenter.Sip;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// RFC 3261 13.3.1.4: a 2xx never acknowledged is repeated for 64·T1, then the edge ends the dialog with BYE and the
/// call everywhere. A second edge on the fixture's cluster runs on a <see cref="FakeTimeProvider"/>, so 32 s of
/// retransmissions pass at once.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class UnacknowledgedAnswerTests(EdgeFixture fixture)
{
    [Fact]
    public async Task CallersAnswerNeverAcked_After64T1TheEdgeByes_AndTheCallEndsWithoutAnAgent()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = new SipEdgeOptions
        {
            SiteId = EdgeFixture.Site,
            Port = 0,
            Realm = EdgeFixture.Realm,
            RtpPortFirst = 34000,
            RtpPortLast = 34099,
            Trunks = [EdgeFixture.TrunkAddress + "/32"],
        };
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EdgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        await using var edge = new SipEdge(options, fixture.Grains, time, metrics, new FileLogger<SipEdge>(Path.Combine(AppContext.BaseDirectory, "edge-fake-time.log")));
        await edge.StartAsync();
        await using var caller = new RawCallerDialog(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, edge.Port), EdgeSession.NewCallerNumber(), "7001");

        Assert.Equal(200, (await caller.InviteAsync(caller.Sdp())).StatusCode);
        var call = edge.FindCall(caller.CallId)!;
        await Eventually.HoldsAsync(async () => (await fixture.Grains.GetGrain<CallCenter.Grains.ICallGrain>(call.CallId).GetAsync()).State == CallState.Queued, "the call queued");

        // No ACK: 64·T1 of repeats (T1 = 500 ms), half a second at a time.
        for (var step = 0; step < 64; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        var bye = await caller.NextRequestAsync(SipMethods.Bye);
        Assert.Equal(caller.CallId, bye.CallId);
        // The edge's clock keeps moving while the end is awaited: a grain call in flight while the loop above moved it
        // (the enqueue's reply, on a loaded machine) is repeated after a pause on that clock, and the caller's leaving is
        // taken after it.
        var ended = await fixture.EndedCallOfAsync(caller.CallerNumber, edgeClock: time);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Null(ended.AgentId);
        Assert.Null(ended.OfferedAgentId);
    }
}
