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
/// RFC 3262 (100rel/PRACK) on the wire. Toward callers the edge is the UAS: its 180 goes reliably when the INVITE
/// requires or supports 100rel, repeated until the PRACK, and never PRACKed within 64·T1 the INVITE gets 500. Toward
/// agents' phones it is the UAC: a reliable 18x gets one PRACK, its repeats none. The hand-written cases run on a
/// second edge with a <see cref="FakeTimeProvider"/> (ringing and 32 s of repeats pass at once); SIPp peers run on the
/// fixture's edge.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class ReliableProvisionalWireTests(EdgeFixture fixture)
{
    private const double RingSeconds = 40;

    [Fact]
    public async Task CallerRequires100rel_The180IsReliable_RepeatedUntilThePrack_AStrayPrackGets481_ThenThe200()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var edge = await StartEdgeAsync(time, services);
        await using var caller = new RawCallerDialog(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, edge.Port), EdgeSession.NewCallerNumber(), "7001");

        await caller.SendInviteAsync(caller.Sdp(), "Require: 100rel");
        var ringing = await caller.NextResponseAsync(r => r.StatusCode == 180);
        Assert.Contains("100rel", ringing.Headers.GetAll(SipHeaderNames.Require));
        var rseq = uint.Parse(ringing.Headers.GetFirst("RSeq")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(rseq, 1u, (uint)int.MaxValue);
        Assert.NotNull(ringing.Headers.GetFirst(SipHeaderNames.Contact));
        Assert.False(string.IsNullOrEmpty(ringing.To?.Tag));

        // Not PRACKed yet: after T1 the same 180 again.
        time.Advance(TimeSpan.FromMilliseconds(500));
        var repeated = await caller.NextResponseAsync(r => r.StatusCode == 180);
        Assert.Equal(rseq.ToString(System.Globalization.CultureInfo.InvariantCulture), repeated.Headers.GetFirst("RSeq"));

        caller.EnterDialog(ringing);
        var stray = await caller.RequestAsync(SipMethods.Prack, null, $"RAck: {rseq + 1} 1 INVITE");
        Assert.Equal(481, stray.StatusCode);
        var prack = await caller.RequestAsync(SipMethods.Prack, null, $"RAck: {rseq} 1 INVITE");
        Assert.Equal(200, prack.StatusCode);
        caller.ForgetPassedOver();

        // The ring ends: the 200, and no 180 repeated after the PRACK.
        AdvanceInSteps(time, TimeSpan.FromSeconds(RingSeconds + 1));
        var ok = await caller.NextResponseAsync(r => r.StatusCode == 200 && r.CSeq?.Method == SipMethods.Invite);
        Assert.Contains("100rel", string.Join(",", ok.Headers.GetAll(SipHeaderNames.Supported)), StringComparison.Ordinal);
        Assert.Contains("PRACK", string.Join(",", ok.Headers.GetAll(SipHeaderNames.Allow)), StringComparison.Ordinal);
        Assert.Equal(ringing.To?.Tag, ok.To?.Tag);
        caller.EnterDialog(ok);
        await caller.AckAsync();
        var late = await caller.RequestAsync(SipMethods.Prack, null, $"RAck: {rseq} 1 INVITE");
        Assert.Equal(481, late.StatusCode);
        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
        Assert.DoesNotContain(caller.PassedOver, message => message is SipResponse { StatusCode: 180 });
    }

    [Fact]
    public async Task CallerSupports100relButNeverPracks_After64T1TheInviteGets500_AndTheCallEnds()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var edge = await StartEdgeAsync(time, services);
        await using var caller = new RawCallerDialog(IPAddress.Loopback, new IPEndPoint(IPAddress.Loopback, edge.Port), EdgeSession.NewCallerNumber(), "7001");

        await caller.SendInviteAsync(caller.Sdp(), "Supported: 100rel");
        var ringing = await caller.NextResponseAsync(r => r.StatusCode == 180);
        Assert.Contains("100rel", ringing.Headers.GetAll(SipHeaderNames.Require));
        AdvanceInSteps(time, TimeSpan.FromMilliseconds(500 * 64));

        var refused = await caller.NextResponseAsync(r => r.StatusCode >= 200);
        Assert.Equal(500, refused.StatusCode);
        var ended = await fixture.EndedCallOfAsync(caller.CallerNumber, edgeClock: time);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Null(ended.AgentId);
    }

    [Fact]
    public async Task SippCallerRequiring100rel_PracksTheReliableRinging_AndIsAnswered()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        // 7004 rings for 1 s before the answer.
        var call = await session.CallAsync(SippScenarios.Caller100rel, "7004", caller, new Dictionary<string, string> { ["hold_ms"] = "300" });

        Assert.True(call.Succeeded, "caller-100rel: reliable 180, PRACK answered 200, then the 200: " + call.Describe());
        Assert.Equal(CallOutcome.Abandoned, (await session.EndedCallOfAsync(caller)).Outcome);
    }

    [Fact]
    public async Task AgentPhoneRingingReliably_GetsOnePrack_ItsRepeatNone_AndTheCallConnects()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("tia", SippScenarios.AgentPhone100rel, new Dictionary<string, string> { ["bye_after_ms"] = "300" });
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "tia's phone: reliable 180, one PRACK, answer, BYE: " + agent.Describe());
        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("tia", ended.AgentId);
    }

    [Fact]
    public async Task AgentPhoneAnswersInAReliable183_AndItsOkHasNoSdp_TheEdgeTakesTheEarlyAnswer_AndTheCallConnects()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("uma", SippScenarios.AgentPhone100relEarlyAnswer, new Dictionary<string, string> { ["bye_after_ms"] = "300" });
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "uma's phone: reliable 183 with the answer, one PRACK, 200 without SDP, ACK, BYE: " + agent.Describe());
        Assert.True(call.Succeeded, call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal("uma", ended.AgentId);
    }

    // FakeTimeProvider fires a timer once per Advance: step through, so each repeat is set from its own due time.
    private static void AdvanceInSteps(FakeTimeProvider time, TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(250);
        for (var left = total; left > TimeSpan.Zero; left -= step)
        {
            time.Advance(left < step ? left : step);
        }
    }

    private async Task<SipEdge> StartEdgeAsync(FakeTimeProvider time, ServiceProvider services)
    {
        var options = new SipEdgeOptions
        {
            SiteId = EdgeFixture.Site,
            Port = 0,
            Realm = EdgeFixture.Realm,
            RtpPortFirst = 34100,
            RtpPortLast = 34199,
            Trunks = [EdgeFixture.TrunkAddress + "/32"],
            RingSeconds = RingSeconds,
        };
        var metrics = new EdgeMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var edge = new SipEdge(options, fixture.Grains, time, metrics, new FileLogger<SipEdge>(Path.Combine(AppContext.BaseDirectory, "edge-100rel.log")));
        await edge.StartAsync();
        return edge;
    }
}
