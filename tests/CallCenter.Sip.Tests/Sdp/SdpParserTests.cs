using System.Text;
using CallCenter.Sip.Sdp;

namespace CallCenter.Sip.Tests.Sdp;

public sealed class SdpParserTests
{
    // RFC 3264 section 10.1, the first offer.
    public const string Rfc3264Offer =
        "v=0\r\n" +
        "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n" +
        "s=\r\n" +
        "c=IN IP4 host.atlanta.example.com\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 97\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:97 iLBC/8000\r\n" +
        "m=video 51372 RTP/AVP 31 32\r\n" +
        "a=rtpmap:31 H261/90000\r\n" +
        "a=rtpmap:32 MPV/90000\r\n";

    [Fact]
    public void Parse_Rfc3264Offer_ReadsEveryField()
    {
        SdpSessionDescription sdp = SdpSessionDescription.Parse(Rfc3264Offer);

        Assert.Equal(new SdpOrigin("alice", 2890844526, 2890844526, "IN", "IP4", "host.atlanta.example.com"), sdp.Origin);
        Assert.Equal("", sdp.SessionName);
        Assert.Equal(new SdpConnection("IN", "IP4", "host.atlanta.example.com"), sdp.Connection);
        Assert.Equal([new SdpTiming(0, 0)], sdp.Timings);
        Assert.Equal(2, sdp.Media.Count);
        SdpMediaDescription audio = sdp.Media[0];
        Assert.Equal("audio", audio.Media);
        Assert.Equal(49170, audio.Port);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(["0", "8", "97"], audio.Formats);
        Assert.Equal(new SdpRtpMap(97, "iLBC", 8000), audio.GetRtpMap(97));
        Assert.Null(audio.Direction);
        Assert.Equal(SdpDirection.SendRecv, sdp.GetEffectiveDirection(audio));
        Assert.Equal(new SdpRtpMap(31, "H261", 90000), sdp.Media[1].GetRtpMap(31));
    }

    [Fact]
    public void ToString_AfterParse_ReproducesTheText()
    {
        const string text =
            "v=0\r\n" +
            "o=- 1 2 IN IP6 ::1\r\n" +
            "s=call\r\n" +
            "i=info\r\n" +
            "e=ops@example.com\r\n" +
            "c=IN IP6 ::1\r\n" +
            "b=AS:64\r\n" +
            "t=3034423619 3042462419\r\n" +
            "r=604800 3600 0 90000\r\n" +
            "a=sendonly\r\n" +
            "m=audio 5004/2 RTP/AVP 8 96\r\n" +
            "i=voice\r\n" +
            "c=IN IP4 224.2.1.1/127/3\r\n" +
            "b=TIAS:64000\r\n" +
            "a=rtpmap:96 telephone-event/8000\r\n" +
            "a=fmtp:96 0-15\r\n" +
            "a=ptime:30\r\n" +
            "a=recvonly\r\n" +
            "m=text 0 RTP/AVP 98\r\n";

        SdpSessionDescription sdp = SdpSessionDescription.Parse(text);

        Assert.Equal(text, sdp.ToString());
        SdpMediaDescription audio = sdp.Media[0];
        Assert.Equal(2, audio.PortCount);
        Assert.Equal("224.2.1.1", audio.Connection!.Host);
        Assert.Equal("0-15", audio.GetFmtp("96"));
        Assert.Equal(30, audio.Ptime);
        Assert.Equal(SdpDirection.SendOnly, sdp.Direction);
        Assert.Equal(SdpDirection.RecvOnly, sdp.GetEffectiveDirection(audio));
        Assert.Equal(SdpDirection.SendOnly, sdp.GetEffectiveDirection(sdp.Media[1]));
        Assert.True(sdp.Media[1].IsRejected);
    }

    [Fact]
    public void Parse_BareLineFeedsAndUtf8Bytes_AreAccepted()
    {
        byte[] body = Encoding.UTF8.GetBytes(Rfc3264Offer.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("s=", "s=Grüße", StringComparison.Ordinal));

        SdpSessionDescription sdp = SdpSessionDescription.Parse(body);

        Assert.Equal("Grüße", sdp.SessionName);
        Assert.Equal(Rfc3264Offer.Replace("s=", "s=Grüße", StringComparison.Ordinal), sdp.ToString());
    }

    [Fact]
    public void Parse_MediaLevelConnectionOnly_IsAccepted()
    {
        const string text = "v=0\r\no=- 0 0 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\n";

        SdpSessionDescription sdp = SdpSessionDescription.Parse(text);

        Assert.Null(sdp.Connection);
        Assert.Equal("10.0.0.2", sdp.GetEffectiveConnection(sdp.Media[0])!.Host);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("v=1\r\n", "v=0")]
    [InlineData("o=- 0 0 IN IP4 1.2.3.4\r\n", "v=0")]
    [InlineData("v=0\r\ns=-\r\n", "o=")]
    [InlineData("v=0\r\no=- 0 0 IN IP4\r\ns=-\r\nt=0 0\r\n", "six fields")]
    [InlineData("v=0\r\no=- x 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", "decimal")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\nt=0 0\r\n", "s=")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n", "no t=")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0\r\n", "t=")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nx=unknown\r\nt=0 0\r\n", "'x='")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nbroken\r\n", "<type>=<value>")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "no c= line")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", "port")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP\r\n", "at least one format")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0  8\r\n", "single spaces")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 200\r\n", "payload type")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "rtpmap")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=ptime:abc\r\n", "ptime")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly:yes\r\n", "no value")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nt=0 0\r\n", "media description")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.5\r\nt=0 0\r\n", "more than one")]
    [InlineData("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4\r\nt=0 0\r\n", "c=")]
    public void Parse_MalformedSdp_ThrowsSdpParseExceptionWithMessage(string text, string messagePart)
    {
        var exception = Assert.Throws<SdpParseException>(() => SdpSessionDescription.Parse(text));

        Assert.Contains(messagePart, exception.Message, StringComparison.Ordinal);
        Assert.False(SdpSessionDescription.TryParse(text, out _, out string? error));
        Assert.Equal(exception.Message, error);
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsSdpParseException()
    {
        byte[] body = [.. "v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns="u8, 0xC3, 0x28, .. "\r\nt=0 0\r\n"u8];

        Assert.Throws<SdpParseException>(() => SdpSessionDescription.Parse(body));
    }

    [Fact]
    public void Parse_BadLine_ReportsLineNumber()
    {
        var exception = Assert.Throws<SdpParseException>(() =>
            SdpSessionDescription.Parse("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n"));

        Assert.Equal(5, exception.LineNumber);
        Assert.StartsWith("SDP line 5:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Direction_Setter_ReplacesExistingDirectionAttribute()
    {
        var media = new SdpMediaDescription("audio", 4000, "RTP/AVP", ["0"]);
        media.Attributes.Add(new SdpAttribute("sendrecv"));

        media.Direction = SdpDirection.Inactive;

        Assert.Equal(SdpDirection.Inactive, media.Direction);
        Assert.Equal([new SdpAttribute("inactive")], media.Attributes);
    }
}
