using CallCenter.Sip.Sdp;

namespace CallCenter.Sip.Tests.Sdp;

public sealed class SdpOfferAnswerTests
{
    private static SdpOfferAnswer Endpoint() => new("192.0.2.10", 20000, sessionId: 1000);

    private static SdpSessionDescription Offer(string mediaLines, string connection = "198.51.100.7", string sessionAttributes = "") =>
        SdpSessionDescription.Parse(
            "v=0\r\no=peer 5 5 IN IP4 198.51.100.7\r\ns=-\r\n" +
            $"c=IN IP4 {connection}\r\nt=0 0\r\n" + sessionAttributes + mediaLines);

    [Fact]
    public void CreateAnswer_Rfc3264Offer_AcceptsPcmuAndRejectsVideo()
    {
        SdpSessionDescription offer = SdpSessionDescription.Parse(SdpParserTests.Rfc3264Offer);

        SdpAnswerResult result = Endpoint().CreateAnswer(offer);

        Assert.True(result.IsAcceptable);
        Assert.Equal(
            "v=0\r\n" +
            "o=- 1000 1000 IN IP4 192.0.2.10\r\n" +
            "s=-\r\n" +
            "c=IN IP4 192.0.2.10\r\n" +
            "t=0 0\r\n" +
            "m=audio 20000 RTP/AVP 0\r\n" +
            "a=rtpmap:0 PCMU/8000\r\n" +
            "a=ptime:20\r\n" +
            "a=sendrecv\r\n" +
            "m=video 0 RTP/AVP 31 32\r\n",
            result.Answer.ToString());
        SdpAudioSession audio = result.Audio!;
        Assert.Equal(0, audio.MediaIndex);
        Assert.Equal(SdpCodec.Pcmu, audio.Codec);
        Assert.Null(audio.TelephoneEvent);
        Assert.Equal("host.atlanta.example.com", audio.RemoteAddress);
        Assert.Equal(49170, audio.RemotePort);
        Assert.Equal(SdpDirection.SendRecv, audio.LocalDirection);
        Assert.False(audio.RemoteHolds);
    }

    [Fact]
    public void CreateAnswer_PcmaFirstWithTelephoneEvent_ChoosesPcmaAndKeepsEventPayloadType()
    {
        SdpSessionDescription offer = Offer(
            "m=audio 30000 RTP/AVP 18 8 0 96\r\na=rtpmap:18 G729/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=ptime:30\r\n");

        SdpAnswerResult result = Endpoint().CreateAnswer(offer);

        SdpMediaDescription answered = Assert.Single(result.Answer.Media);
        Assert.Equal(["8", "96"], answered.Formats);
        Assert.Equal(new SdpRtpMap(96, "telephone-event", 8000), answered.GetRtpMap(96));
        Assert.Equal("0-16", answered.GetFmtp("96"));
        Assert.Equal(SdpCodec.Pcma, result.Audio!.Codec);
        Assert.Equal(96, result.Audio.TelephoneEvent!.PayloadType);
        Assert.Equal(30, result.Audio.RemotePtime);
    }

    [Fact]
    public void CreateAnswer_DynamicPayloadTypeForPcmu_UsesTheOfferersNumber()
    {
        SdpSessionDescription offer = Offer("m=audio 30000 RTP/AVP 98\r\na=rtpmap:98 pcmu/8000\r\n");

        SdpAnswerResult result = Endpoint().CreateAnswer(offer);

        Assert.Equal(98, result.Audio!.Codec.PayloadType);
        Assert.Equal("PCMU", result.Audio.Codec.EncodingName);
        Assert.Equal(["98"], result.Answer.Media[0].Formats);
    }

    [Fact]
    public void CreateAnswer_StaticPayloadTypeWithoutRtpmap_IsRecognised()
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer("m=audio 30000 RTP/AVP 3 8\r\n"));

        Assert.Equal(SdpCodec.Pcma, result.Audio!.Codec);
    }

    [Theory]
    [InlineData("sendonly", SdpDirection.RecvOnly, true)]
    [InlineData("recvonly", SdpDirection.SendOnly, false)]
    [InlineData("inactive", SdpDirection.Inactive, true)]
    [InlineData("sendrecv", SdpDirection.SendRecv, false)]
    public void CreateAnswer_OfferedDirection_IsMirrored(string offered, SdpDirection expected, bool remoteHolds)
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer($"m=audio 30000 RTP/AVP 0\r\na={offered}\r\n"));

        Assert.Equal(expected, result.Answer.Media[0].Direction);
        Assert.Equal(expected, result.Audio!.LocalDirection);
        Assert.Equal(remoteHolds, result.Audio.RemoteHolds);
    }

    [Fact]
    public void CreateAnswer_SessionLevelSendonly_AppliesToMedia()
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer("m=audio 30000 RTP/AVP 0\r\n", sessionAttributes: "a=sendonly\r\n"));

        Assert.Equal(SdpDirection.RecvOnly, result.Audio!.LocalDirection);
        Assert.True(result.Audio.RemoteHolds);
    }

    [Fact]
    public void CreateAnswer_ZeroConnectionAddress_MeansThePeerHolds()
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer("m=audio 30000 RTP/AVP 0\r\n", connection: "0.0.0.0"));

        Assert.True(result.Audio!.RemoteHolds);
        Assert.Equal(SdpDirection.RecvOnly, result.Answer.Media[0].Direction);
    }

    [Fact]
    public void CreateAnswer_LocalHold_AnswersSendonly()
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer("m=audio 30000 RTP/AVP 0\r\n"), SdpDirection.SendOnly);

        Assert.Equal(SdpDirection.SendOnly, result.Answer.Media[0].Direction);
        Assert.False(result.Audio!.RemoteHolds);
    }

    [Fact]
    public void CreateAnswer_NoCommonCodec_RejectsWithPortZeroAndIsNotAcceptable()
    {
        SdpAnswerResult result = Endpoint().CreateAnswer(Offer("m=audio 30000 RTP/AVP 18 9\r\na=rtpmap:18 G729/8000\r\n"));

        Assert.False(result.IsAcceptable);
        SdpMediaDescription rejected = Assert.Single(result.Answer.Media);
        Assert.Equal(0, rejected.Port);
        Assert.Equal(["18", "9"], rejected.Formats);
        Assert.Empty(rejected.Attributes);
        // The rejection is still valid SDP (no c= needed on a port-0 line when the session has one).
        Assert.Equal(result.Answer.ToString(), SdpSessionDescription.Parse(result.Answer.ToString()).ToString());
    }

    [Fact]
    public void CreateAnswer_SeveralMediaLines_KeepsCountAndOrderAndAcceptsOneAudio()
    {
        SdpSessionDescription offer = Offer(
            "m=video 30002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
            "m=audio 30000 RTP/SAVP 0\r\n" +
            "m=audio 30004 RTP/AVP 8\r\n" +
            "m=audio 30006 RTP/AVP 0\r\n" +
            "m=application 9 UDP/BFCP *\r\n");

        SdpAnswerResult result = Endpoint().CreateAnswer(offer);

        Assert.Equal(["video", "audio", "audio", "audio", "application"], result.Answer.Media.Select(media => media.Media));
        Assert.Equal([0, 0, 20000, 0, 0], result.Answer.Media.Select(media => media.Port));
        Assert.Equal(["RTP/AVP", "RTP/SAVP", "RTP/AVP", "RTP/AVP", "UDP/BFCP"], result.Answer.Media.Select(media => media.Protocol));
        Assert.Equal(2, result.Audio!.MediaIndex);
        Assert.Equal(30004, result.Audio.RemotePort);
    }

    [Fact]
    public void CreateAnswer_OfferedTimes_AreCopied()
    {
        SdpSessionDescription offer = SdpSessionDescription.Parse(
            "v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=3034423619 3042462419\r\nm=audio 4000 RTP/AVP 0\r\n");

        SdpAnswerResult result = Endpoint().CreateAnswer(offer);

        Assert.Equal([new SdpTiming(3034423619, 3042462419)], result.Answer.Timings);
    }

    [Fact]
    public void CreateOffer_Default_ListsPcmuPcmaAndTelephoneEvent()
    {
        SdpSessionDescription offer = Endpoint().CreateOffer();

        Assert.Equal(
            "v=0\r\n" +
            "o=- 1000 1000 IN IP4 192.0.2.10\r\n" +
            "s=-\r\n" +
            "c=IN IP4 192.0.2.10\r\n" +
            "t=0 0\r\n" +
            "m=audio 20000 RTP/AVP 0 8 101\r\n" +
            "a=rtpmap:0 PCMU/8000\r\n" +
            "a=rtpmap:8 PCMA/8000\r\n" +
            "a=rtpmap:101 telephone-event/8000\r\n" +
            "a=fmtp:101 0-16\r\n" +
            "a=ptime:20\r\n" +
            "a=sendrecv\r\n",
            offer.ToString());
    }

    [Fact]
    public void CreateOffer_Ipv6Address_UsesIp6()
    {
        SdpSessionDescription offer = new SdpOfferAnswer("2001:db8::1", 20000).CreateOffer();

        Assert.Equal(new SdpConnection("IN", "IP6", "2001:db8::1"), offer.Connection);
        Assert.Equal("IP6", offer.Origin.AddressType);
    }

    [Fact]
    public void Origin_Version_IncrementsOnlyWhenTheSdpChanges()
    {
        SdpOfferAnswer endpoint = Endpoint();

        ulong first = endpoint.CreateOffer().Origin.SessionVersion;
        ulong same = endpoint.CreateOffer().Origin.SessionVersion;
        SdpSessionDescription hold = endpoint.CreateOffer(SdpDirection.SendOnly);
        ulong resumed = endpoint.CreateOffer().Origin.SessionVersion;

        Assert.Equal(first, same);
        Assert.Equal(first + 1, hold.Origin.SessionVersion);
        Assert.Equal(first + 2, resumed);
        Assert.Equal(1000UL, hold.Origin.SessionId);
    }

    [Fact]
    public void ReadAnswer_PeerAnswersPcmaAndEvent_GivesTheSession()
    {
        SdpOfferAnswer endpoint = Endpoint();
        SdpSessionDescription offer = endpoint.CreateOffer();
        SdpSessionDescription answer = SdpSessionDescription.Parse(
            "v=0\r\no=bob 7 7 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n" +
            "m=audio 40000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=recvonly\r\n");

        SdpAudioSession? audio = endpoint.ReadAnswer(offer, answer);

        Assert.NotNull(audio);
        Assert.Equal(SdpCodec.Pcma, audio.Codec);
        Assert.Equal(101, audio.TelephoneEvent!.PayloadType);
        Assert.Equal("203.0.113.5", audio.RemoteAddress);
        Assert.Equal(40000, audio.RemotePort);
        Assert.Equal(SdpDirection.SendOnly, audio.LocalDirection);
        Assert.False(audio.RemoteHolds);
    }

    [Fact]
    public void ReadAnswer_AudioRejected_ReturnsNull()
    {
        SdpOfferAnswer endpoint = Endpoint();
        SdpSessionDescription offer = endpoint.CreateOffer();
        SdpSessionDescription answer = SdpSessionDescription.Parse(
            "v=0\r\no=bob 7 7 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");

        Assert.Null(endpoint.ReadAnswer(offer, answer));
    }

    [Fact]
    public void OfferAnswer_TwoEndpoints_AgreeOnCodecAndEvents()
    {
        var alice = new SdpOfferAnswer("10.0.0.1", 4000, [SdpCodec.Pcma, SdpCodec.Pcmu, SdpCodec.TelephoneEvent(100)]);
        var bob = new SdpOfferAnswer("10.0.0.2", 5000);

        SdpSessionDescription offer = SdpSessionDescription.Parse(alice.CreateOffer().ToString());
        SdpAnswerResult answer = bob.CreateAnswer(offer);
        SdpAudioSession? aliceView = alice.ReadAnswer(offer, SdpSessionDescription.Parse(answer.Answer.ToString()));

        Assert.Equal(SdpCodec.Pcma, answer.Audio!.Codec);
        Assert.Equal(100, answer.Audio.TelephoneEvent!.PayloadType);
        Assert.Equal(SdpCodec.Pcma, aliceView!.Codec);
        Assert.Equal(100, aliceView.TelephoneEvent!.PayloadType);
        Assert.Equal(("10.0.0.1", 4000), (answer.Audio.RemoteAddress, answer.Audio.RemotePort));
        Assert.Equal(("10.0.0.2", 5000), (aliceView.RemoteAddress, aliceView.RemotePort));
    }
}
