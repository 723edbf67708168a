using System.Net;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Sdp;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// RFC 3264 offer/answer on the caller's leg, seen on the wire with a hand-written caller: late offers (INVITE and
/// re-INVITE without SDP), the ACK's answer, direction attributes honoured in what the edge sends, and the o= line.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class OfferAnswerWireTests(EdgeFixture fixture)
{
    private IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    [Fact]
    public async Task InviteWithoutSdp_OurOfferInThe200_TheAnswerInTheAck_ThenTheCallerHearsTheQueue()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");

        var ok = await caller.InviteAsync(null);

        Assert.Equal(200, ok.StatusCode);
        var offer = RawCallerDialog.SdpOf(ok);
        var audio = Assert.Single(offer.Media);
        Assert.Equal("audio", audio.Media);
        Assert.Contains("0", audio.Formats);
        Assert.Contains("8", audio.Formats);
        Assert.Equal(SdpDirection.SendRecv, offer.GetEffectiveDirection(audio));

        await caller.AckAsync(caller.Sdp());

        // The answer applied: the queue's music reaches the port of our answer.
        Assert.NotEmpty(await caller.NextRtpAsync());
        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
        Assert.Equal(CallOutcome.Abandoned, (await fixture.EndedCallOfAsync(caller.CallerNumber)).Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40000 RTP/AVP 31\r\n")]
    public async Task InviteWithoutSdp_AckWithoutAUsableAnswer_TheEdgeByes_AndTheCallEnds(string? answer)
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        Assert.Equal(200, (await caller.InviteAsync(null)).StatusCode);

        await caller.AckAsync(answer);

        var bye = await caller.NextRequestAsync(SipMethods.Bye);
        Assert.Equal(caller.CallId, bye.CallId);
        var ended = await fixture.EndedCallOfAsync(caller.CallerNumber);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Null(ended.AgentId);
    }

    [Fact]
    public async Task ReInviteWithoutSdp_OurOfferInThe200_AnswerInTheAck_TheSessionIdStays_TheVersionMovesOnlyOnChange()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        var ok = await caller.InviteAsync(caller.Sdp());
        await caller.AckAsync();
        var first = RawCallerDialog.SdpOf(ok).Origin;

        var reInvite = await caller.RequestAsync(SipMethods.Invite, null);
        Assert.Equal(200, reInvite.StatusCode);
        var offer = RawCallerDialog.SdpOf(reInvite);
        Assert.Equal(first.SessionId, offer.Origin.SessionId);
        Assert.Equal(first.SessionVersion + 1, offer.Origin.SessionVersion);
        await caller.AckAsync(caller.Sdp());

        // The same offer again: the same version (nothing changed).
        var repeat = await caller.RequestAsync(SipMethods.Invite, null);
        Assert.Equal(offer.Origin, RawCallerDialog.SdpOf(repeat).Origin);
        await caller.AckAsync(caller.Sdp());
        Assert.NotEmpty(await caller.NextRtpAsync());

        // An offer with the same media as before: answered with the same SDP as our first answer, so a new version.
        var answer = await caller.RequestAsync(SipMethods.Invite, caller.Sdp());
        Assert.Equal(first.SessionId, RawCallerDialog.SdpOf(answer).Origin.SessionId);
        Assert.True(RawCallerDialog.SdpOf(answer).Origin.SessionVersion > offer.Origin.SessionVersion);
        await caller.AckAsync();

        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
    }

    [Fact]
    public async Task CallerHoldsAndResumes_TheEdgeAnswersTheMirroredDirection_AndSendsOnlyWhenItMay()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        var ok = await caller.InviteAsync(caller.Sdp());
        await caller.AckAsync();
        Assert.NotEmpty(await caller.NextRtpAsync());
        var media = fixture.Edge.FindCall(caller.CallId)!.CallerMedia!;
        var version = RawCallerDialog.SdpOf(ok).Origin.SessionVersion;

        foreach (var (offered, connection, answered, sends) in new (string, string?, SdpDirection, bool)[]
        {
            ("sendonly", null, SdpDirection.RecvOnly, false),
            ("inactive", null, SdpDirection.Inactive, false),
            ("sendrecv", "0.0.0.0", SdpDirection.RecvOnly, false),
            ("recvonly", null, SdpDirection.SendOnly, true),
            ("sendrecv", null, SdpDirection.SendRecv, true),
        })
        {
            var reply = await caller.RequestAsync(SipMethods.Invite, caller.Sdp(offered, connection));
            await caller.AckAsync();
            Assert.Equal(200, reply.StatusCode);
            var sdp = RawCallerDialog.SdpOf(reply);
            Assert.Equal(answered, sdp.GetEffectiveDirection(sdp.Media[0]));
            Assert.True(sdp.Origin.SessionVersion > version, $"{offered}: the answer changed, so its version goes up");
            version = sdp.Origin.SessionVersion;
            Assert.Equal(!sends, media.Muted);
        }

        // Sending again after the resume: packets reach us once more.
        var sentBefore = media.PacketsSent;
        await Eventually.HoldsAsync(() => Task.FromResult(media.PacketsSent > sentBefore), "the edge sends the caller music again");
        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
    }

    [Fact]
    public async Task ReInviteWithAnOfferWithoutUsableAudio_Gets488_AndTheSessionStays()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        await caller.InviteAsync(caller.Sdp());
        await caller.AckAsync();

        var video = "v=0\r\no=raw 42 99 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 40002 RTP/AVP 31\r\n";
        var refused = await caller.RequestAsync(SipMethods.Invite, video);

        Assert.Equal(488, refused.StatusCode);
        Assert.False(fixture.Edge.FindCall(caller.CallId)!.CallerMedia!.Muted);
        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
    }

    [Fact]
    public async Task AgentPhoneReInvitesWithoutSdp_GetOurOffer_AndTheAnswersInTheAcksHoldAndResume()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync(
            "sid",
            SippScenarios.AgentPhoneLateHold,
            new Dictionary<string, string> { ["hold_after_ms"] = "200", ["held_ms"] = "300", ["bye_after_ms"] = "200" });
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        Assert.True(call.Succeeded, call.Describe());
        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "sid's phone: offerless re-INVITEs answered with our offer, answers in the ACKs: " + agent.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(
            [CallEventKind.Held, CallEventKind.Resumed],
            ended.Timeline.Where(e => e.Kind is CallEventKind.Held or CallEventKind.Resumed).Select(e => e.Kind));
    }

    [Fact]
    public async Task AgentPhoneAcksOurOfferWithAnUnusableAnswer_TheEdgeByesThatLeg_AndTheCallEndsCleanlyForTheCaller()
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync(
            "sid", SippScenarios.AgentPhoneBadLateAnswer, new Dictionary<string, string> { ["hold_after_ms"] = "200" });
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7002", caller);

        var agent = await phone.WaitForExitAsync();
        Assert.True(agent.Succeeded, "sid's phone: an offerless re-INVITE, a video-only answer in the ACK, then the edge's BYE on this leg: " + agent.Describe());
        Assert.True(call.Succeeded, "the caller gets the edge's BYE: " + call.Describe());
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal("sid", ended.AgentId);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        var sid = fixture.Grains.GetGrain<CallCenter.Grains.IAgentGrain>("sid");
        await Eventually.HoldsAsync(async () => (await sid.GetStatusAsync()).Calls.Count == 0, "sid is no longer on the call");
    }
}
