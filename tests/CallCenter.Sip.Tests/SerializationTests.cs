using System.Text;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Tests;

public sealed class SerializationTests
{
    [Fact]
    public void ToBytes_ParsedMessageWithFoldingAndCompactForms_WritesCanonicalText()
    {
        byte[] bytes = TestMessages.Bytes(
            "OPTIONS sip:a@example.com SIP/2.0\r\nv: SIP/2.0/UDP h.example.com\r\n ;branch=z9hG4bK1\r\nl: 0\r\n\r\n");

        string text = SipMessageParser.Parse(bytes).ToString();

        Assert.Equal("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com ;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n", text);
    }

    [Fact]
    public void ToBytes_BodyChanged_RewritesContentLength()
    {
        SipMessage message = SipMessageParser.Parse(TestMessages.Invite());
        message.Body = Encoding.ASCII.GetBytes("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");

        SipMessage reparsed = SipMessageParser.Parse(message.ToBytes());

        Assert.Equal(message.Body.Length, reparsed.ContentLength);
        Assert.Equal(message.Body, reparsed.Body);
        Assert.Single(reparsed.Headers.GetAll("Content-Length"));
    }

    [Fact]
    public void ToBytes_BuiltRequest_RoundTrips()
    {
        var request = new SipRequest(SipMethods.Register, SipUri.Parse("sip:registrar.example.com"));
        var via = new ViaHeader("udp", "192.0.2.10", 5060);
        via.Parameters.Add("branch", "z9hG4bKnashds7");
        via.Parameters.Add("rport", null);
        request.Headers.Add(SipHeaderNames.Via, via.ToString());
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        var to = new NameAddress(SipUri.Parse("sip:bob@example.com"), "Bob");
        request.Headers.Add(SipHeaderNames.To, to.ToString());
        var from = new NameAddress(SipUri.Parse("sip:bob@example.com"), "Bob");
        from.Parameters.Add("tag", "456248");
        request.Headers.Add(SipHeaderNames.From, from.ToString());
        request.Headers.Add(SipHeaderNames.CallId, "843817637684230@998sdasdh09");
        request.Headers.Add(SipHeaderNames.CSeq, new CSeqHeader(1826, SipMethods.Register).ToString());
        request.Headers.Add(SipHeaderNames.Contact, "<sip:bob@192.0.2.10>;expires=7200");

        var reparsed = Assert.IsType<SipRequest>(MessageAssert.RoundTrip(request));

        Assert.StartsWith("REGISTER sip:registrar.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport\r\n", request.ToString(), StringComparison.Ordinal);
        Assert.Equal("456248", reparsed.From!.Tag);
        Assert.Equal(7200u, reparsed.Contacts[0].Expires);
        Assert.EndsWith("Content-Length: 0\r\n\r\n", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToBytes_Response_RoundTripsWithUtf8Reason()
    {
        var response = new SipResponse(486, "Occupé");
        response.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1");
        response.Headers.Add("Call-ID", "x@y");
        response.Headers.Add("CSeq", "1 INVITE");

        var reparsed = Assert.IsType<SipResponse>(MessageAssert.RoundTrip(response));

        Assert.Equal("Occupé", reparsed.ReasonPhrase);
    }

    [Fact]
    public void Add_HeaderValueWithNewline_IsRefused()
    {
        var request = new SipRequest("OPTIONS", SipUri.Parse("sip:a@example.com"));

        Assert.Throws<ArgumentException>(() => request.Headers.Add("Subject", "a\r\nInjected: yes"));
        Assert.Throws<ArgumentException>(() => request.Headers.Add("Bad Name", "x"));
    }

    [Fact]
    public void Headers_SetAndRemoveFirst_KeepPositions()
    {
        SipMessage message = SipMessageParser.Parse(TestMessages.Invite());

        message.Headers.AddFirst("Via", "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKproxy");
        Assert.Equal("proxy.example.com", message.TopVia!.Host);
        Assert.True(message.Headers.RemoveFirst("v"));
        Assert.Equal("pc33.example.com", message.TopVia!.Host);
        message.Headers.Set("Max-Forwards", "69");
        Assert.Equal(69, message.MaxForwards);
        Assert.Single(message.Headers.GetAll("Max-Forwards"));
    }
}
