using System.Text;
using CallCenter.EdgeSip.Calls;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Tests.Media;
using CallCenter.Sip;
using CallCenter.Sip.Sdp;
using CallCenter.Sip.Uris;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Calls;

/// <summary>
/// The offer/answer of one leg, the same class on the caller's and the agent's legs: late offers, UPDATE, directions
/// applied to what the endpoint really sends (on a fake media clock), and the o= line.
/// </summary>
public sealed class LegMediaSessionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private MediaClock _clock = null!;

    public Task InitializeAsync()
    {
        _clock = new MediaClock(_time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _clock.DisposeAsync();

    [Theory]
    [InlineData("sendonly", SdpDirection.RecvOnly, false)]
    [InlineData("inactive", SdpDirection.Inactive, false)]
    [InlineData("recvonly", SdpDirection.SendOnly, true)]
    [InlineData("sendrecv", SdpDirection.SendRecv, true)]
    public async Task OfferedDirection_IsMirrored_AndTheEndpointSendsOnlyWhenOurDirectionSends(string offered, SdpDirection answered, bool sends)
    {
        await using var phone = new RawPhone();
        await using var media = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        var session = new LegMediaSession(media, "127.0.0.1");
        media.Play(MediaSources.Tone(1000, TimeSpan.FromSeconds(10)));

        var reply = session.Reply(Request(SipMethods.Invite, Offer(phone, offered)));
        _time.AdvanceFrames(3);

        Assert.Equal(200, reply.StatusCode);
        Assert.Equal(answered, reply.Sdp!.GetEffectiveDirection(reply.Sdp.Media[0]));
        Assert.Equal(offered is "sendonly" or "inactive", reply.RemoteHolds);
        Assert.Equal(sends ? 3 : 0, media.PacketsSent);

        // Resumed: sending starts again.
        session.Reply(Request(SipMethods.Invite, Offer(phone, "sendrecv")));
        _time.AdvanceFrames(1);
        Assert.Equal(sends ? 4 : 1, media.PacketsSent);
    }

    [Fact]
    public async Task ReInviteWithoutOffer_GetsOurOffer_TheAckAnswerApplies_AnUnusableOneIsRefused()
    {
        await using var phone = new RawPhone();
        await using var media = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        var session = new LegMediaSession(media, "127.0.0.1");
        var first = session.Reply(Request(SipMethods.Invite, Offer(phone, "sendrecv")));

        var late = session.Reply(Request(SipMethods.Invite, null));

        Assert.Equal(200, late.StatusCode);
        Assert.True(session.AwaitingAnswer);
        Assert.Equal(first.Sdp!.Origin.SessionId, late.Sdp!.Origin.SessionId);
        Assert.Equal(first.Sdp.Origin.SessionVersion + 1, late.Sdp.Origin.SessionVersion);
        Assert.True(session.AcceptAnswer(Encoding.UTF8.GetBytes(Offer(phone, "sendonly"))));
        Assert.True(session.Current!.RemoteHolds);
        Assert.True(media.Muted);

        // The same offer again keeps its version; an ACK without an answer is refused.
        var again = session.Reply(Request(SipMethods.Invite, null));
        Assert.Equal(late.Sdp.Origin, again.Sdp!.Origin);
        Assert.False(session.AcceptAnswer([]));
    }

    [Fact]
    public async Task OfferCrossingOurPendingOffer_Gets491_AndChangesNothing_UntilTheAnswerArrives()
    {
        await using var phone = new RawPhone();
        await using var media = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        var session = new LegMediaSession(media, "127.0.0.1");
        session.Reply(Request(SipMethods.Invite, Offer(phone, "sendrecv")));
        var ours = session.Reply(Request(SipMethods.Invite, null));
        var settled = session.Current;

        // RFC 3261 14.2 and RFC 3311 5.2: our offer (in the 2xx) waits for the ACK's answer.
        Assert.Equal(491, session.Reply(Request(SipMethods.Invite, Offer(phone, "sendonly"))).StatusCode);
        Assert.Equal(491, session.Reply(Request(SipMethods.Update, Offer(phone, "sendonly"))).StatusCode);
        Assert.Equal(491, session.Reply(Request(SipMethods.Invite, null)).StatusCode);
        Assert.Equal("Request Pending", session.Reply(Request(SipMethods.Invite, null)).ReasonPhrase);
        Assert.Equal(200, session.Reply(Request(SipMethods.Update, null)).StatusCode);
        Assert.Same(settled, session.Current);
        Assert.True(session.AwaitingAnswer);

        Assert.True(session.AcceptAnswer(Encoding.UTF8.GetBytes(Offer(phone, "sendrecv"))));
        var next = session.Reply(Request(SipMethods.Invite, Offer(phone, "sendonly")));
        Assert.Equal(200, next.StatusCode);
        Assert.Equal(ours.Sdp!.Origin.SessionId, next.Sdp!.Origin.SessionId);
        Assert.True(session.Current!.RemoteHolds);
    }

    [Fact]
    public async Task Update_WithoutOffer_Is200WithoutBody_WithAnUnusableOffer_Is488AndNothingChanges()
    {
        await using var phone = new RawPhone();
        await using var media = RtpEndpoint.Open(MediaTestKit.Pool, _clock);
        var session = new LegMediaSession(media, "127.0.0.1");
        session.Reply(Request(SipMethods.Invite, Offer(phone, "sendrecv")));

        var refresh = session.Reply(Request(SipMethods.Update, null));
        var video = session.Reply(Request(SipMethods.Update, "v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n"));

        Assert.Equal(200, refresh.StatusCode);
        Assert.Null(refresh.Sdp);
        Assert.False(session.AwaitingAnswer);
        Assert.Equal(488, video.StatusCode);
        Assert.False(media.Muted);
        Assert.Equal(phone.EndPoint, media.RemoteEndPoint);
    }

    private static string Offer(RawPhone phone, string direction) =>
        $"v=0\r\no=phone 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {phone.EndPoint.Port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na={direction}\r\n";

    private static SipRequest Request(string method, string? sdp)
    {
        var request = new SipRequest(method, SipUri.Parse("sip:edge@127.0.0.1"));
        if (sdp is not null)
        {
            request.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            request.Body = Encoding.UTF8.GetBytes(sdp);
        }

        return request;
    }
}
