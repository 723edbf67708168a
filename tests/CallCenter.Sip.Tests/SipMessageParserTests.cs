using System.Text;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Uris;
using CallCenter.Sip.Validation;

namespace CallCenter.Sip.Tests;

public sealed class SipMessageParserTests
{
    [Fact]
    public void Parse_BasicInvite_ExposesTypedHeaders()
    {
        var request = Assert.IsType<SipRequest>(SipMessageParser.Parse(TestMessages.Invite(
            "Contact: <sip:alice@pc33.example.com>\r\nContent-Type: application/sdp\r\nRecord-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nExpires: 300\r\n",
            "v=0\r\n")));

        Assert.Equal("INVITE", request.Method);
        Assert.Equal("SIP/2.0", request.Version);
        Assert.Equal("sip:bob@example.com", request.RequestUri.ToString());
        Assert.Equal("z9hG4bK776asdhds", request.TopVia!.Branch);
        Assert.Equal("pc33.example.com", request.TopVia.Host);
        Assert.Equal("UDP", request.TopVia.Transport);
        Assert.Equal("1928301774", request.From!.Tag);
        Assert.Equal("Bob", request.To!.DisplayName);
        Assert.Equal("a84b4c76e66710@pc33.example.com", request.CallId);
        Assert.Equal(new CSeqHeader(314159, "INVITE"), request.CSeq);
        Assert.Equal(70, request.MaxForwards);
        Assert.Equal("application/sdp", request.ContentType!.MimeType);
        Assert.Equal(5, request.ContentLength);
        Assert.Equal(300u, request.Expires);
        Assert.Equal(2, request.RecordRoutes.Count);
        Assert.Equal("sip:alice@pc33.example.com", Assert.Single(request.Contacts).Address!.Uri.ToString());
        Assert.Equal("v=0\r\n"u8.ToArray(), request.Body);
    }

    [Fact]
    public void Parse_FoldedHeader_JoinsContinuationLinesWithOneSpace()
    {
        SipMessage message = TestMessages.ParseInviteWith("Subject: I know you're there,\r\n  pick up the phone\r\n\tand talk to me!\r\n");

        Assert.Equal("I know you're there, pick up the phone and talk to me!", message.Headers.GetFirst("Subject"));
    }

    [Fact]
    public void Parse_ContinuationBeforeFirstHeader_Throws400()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\n folded: x\r\n\r\n");

        var error = Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
        Assert.Equal(400, error.SuggestedStatusCode);
    }

    [Fact]
    public void Parse_WhitespaceAroundColon_IsAccepted()
    {
        SipMessage message = TestMessages.ParseInviteWith("X-Custom   :    value  \r\n");

        Assert.Equal("value", message.Headers.GetFirst("x-custom"));
    }

    [Theory]
    [InlineData("i", "Call-ID")]
    [InlineData("m", "Contact")]
    [InlineData("f", "From")]
    [InlineData("t", "To")]
    [InlineData("v", "Via")]
    [InlineData("l", "Content-Length")]
    [InlineData("c", "Content-Type")]
    [InlineData("k", "Supported")]
    [InlineData("s", "Subject")]
    [InlineData("e", "Content-Encoding")]
    [InlineData("o", "Event")]
    [InlineData("r", "Refer-To")]
    [InlineData("u", "Allow-Events")]
    [InlineData("x", "Session-Expires")]
    [InlineData("b", "Referred-By")]
    [InlineData("y", "Identity")]
    [InlineData("a", "Accept-Contact")]
    [InlineData("V", "Via")]
    public void Canonicalize_CompactForm_MapsToLongName(string compact, string longName)
    {
        Assert.Equal(longName, SipHeaderNames.Canonicalize(compact));
    }

    [Fact]
    public void Parse_CompactAndMixedCaseNames_AreFoundByLongName()
    {
        byte[] bytes = TestMessages.Bytes(
            "OPTIONS sip:a@example.com SIP/2.0\r\nv: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nf: <sip:b@example.com>;tag=1\r\n" +
            "t: sip:a@example.com\r\ni: abc@h\r\ncSEQ: 1 OPTIONS\r\nMAX-FORWARDS: 10\r\nl: 0\r\n\r\n");

        SipMessage message = SipMessageParser.Parse(bytes);

        Assert.Equal("abc@h", message.CallId);
        Assert.Equal("v", message.Headers[0].OriginalName);
        Assert.Equal("Via", message.Headers[0].Name);
        Assert.Equal("CSeq", message.Headers.Single(h => h.OriginalName == "cSEQ").Name);
        Assert.Equal(10, message.MaxForwards);
        Assert.Contains("\r\nCall-ID: abc@h\r\n", message.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CommaSeparatedVia_SplitsIntoValues()
    {
        SipMessage message = TestMessages.ParseInviteWith("Via: SIP/2.0/TCP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com:5080;received=192.0.2.1;rport=5090\r\n");

        Assert.Equal(3, message.Vias.Count);
        Assert.Equal(5080, message.Vias[2].Port);
        Assert.Equal("192.0.2.1", message.Vias[2].Received);
        Assert.Equal(5090, message.Vias[2].RPort);
    }

    [Fact]
    public void Parse_CommaInsideQuotesOrBrackets_DoesNotSplitContact()
    {
        SipMessage message = TestMessages.ParseInviteWith(
            "Contact: \"Watson, Thomas\" <sip:watson,t@example.org>;q=0.7, <sip:second@example.org>\r\n");

        Assert.Equal(2, message.Contacts.Count);
        Assert.Equal("Watson, Thomas", message.Contacts[0].Address!.DisplayName);
        Assert.Equal("watson,t", Assert.IsType<SipUri>(message.Contacts[0].Address!.Uri).User);
        Assert.Equal(0.7, message.Contacts[0].Q);
    }

    [Theory]
    [InlineData("WWW-Authenticate", "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f\", qop=\"auth\"")]
    [InlineData("Authorization", "Digest username=\"bob\", realm=\"biloxi.com\", response=\"abc\"")]
    [InlineData("Proxy-Authenticate", "Digest realm=\"x\", nonce=\"y\"")]
    [InlineData("Proxy-Authorization", "Digest username=\"a\", realm=\"b\"")]
    [InlineData("Date", "Sat, 13 Nov 2010 23:29:00 GMT")]
    [InlineData("Subject", "hello, world")]
    [InlineData("X-Unknown", "a, b, c")]
    public void Parse_HeadersThatMayContainCommas_AreNeverSplit(string name, string value)
    {
        SipMessage message = TestMessages.ParseInviteWith($"{name}: {value}\r\n");

        Assert.Equal([value], message.Headers.GetAll(name));
    }

    [Fact]
    public void Parse_RepeatedHeaders_KeepOrder()
    {
        SipMessage message = TestMessages.ParseInviteWith("Route: <sip:r1.example.com;lr>\r\nRoute: <sip:r2.example.com;lr>, <sip:r3.example.com;lr>\r\n");

        Assert.Equal(["r1.example.com", "r2.example.com", "r3.example.com"], message.Routes.Select(r => ((SipUri)r.Uri).Host));
    }

    [Fact]
    public void Parse_EmptyElementInViaList_Throws400()
    {
        Assert.Throws<SipParseException>(() => TestMessages.ParseInviteWith("Via: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"));
    }

    [Fact]
    public void Parse_ContentLengthShorterThanData_IgnoresTrailingBytes()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 3\r\n\r\nabcdef");

        SipMessage message = SipMessageParser.Parse(bytes);

        Assert.Equal("abc"u8.ToArray(), message.Body);
    }

    [Fact]
    public void Parse_ContentLengthLongerThanData_Throws400()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 30\r\n\r\nabc");

        var error = Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
        Assert.Equal(400, error.SuggestedStatusCode);
        Assert.Contains("Content-Length", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    [InlineData("")]
    public void Parse_InvalidContentLength_Throws400(string value)
    {
        byte[] bytes = TestMessages.Bytes($"OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: {value}\r\n\r\n");

        Assert.Equal(400, Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes)).SuggestedStatusCode);
    }

    [Fact]
    public void Parse_ConflictingContentLengths_Throws400()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab");

        Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
    }

    [Fact]
    public void Parse_NoContentLength_BodyIsRestOfDatagram()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\nX: y\r\n\r\nbody\r\nmore");

        Assert.Equal("body\r\nmore"u8.ToArray(), SipMessageParser.Parse(bytes).Body);
    }

    [Fact]
    public void Parse_HeadersWithoutFinalEmptyLine_EndAtDatagramEnd()
    {
        byte[] bytes = TestMessages.Bytes("OPTIONS sip:a@example.com SIP/2.0\r\nX: y\r\nl: 0");

        SipMessage message = SipMessageParser.Parse(bytes);

        Assert.Equal("0", message.Headers.GetFirst("Content-Length"));
        Assert.Empty(message.Body);
    }

    [Fact]
    public void Parse_LeadingCrlf_IsIgnored()
    {
        byte[] bytes = TestMessages.Bytes("\r\n\r\nOPTIONS sip:a@example.com SIP/2.0\r\nl: 0\r\n\r\n");

        Assert.Equal("OPTIONS", Assert.IsType<SipRequest>(SipMessageParser.Parse(bytes)).Method);
    }

    [Theory]
    [InlineData("OPTIONS sip:a@example.com SIP/7.0", 505)]
    [InlineData("OPTIONS sip:a@example.com SIP/2.1", 505)]
    [InlineData("OPTIONS sip:a@example.com HTTP/1.1", 400)]
    [InlineData("OPTIONS  sip:a@example.com SIP/2.0", 400)]
    [InlineData("OPTIONS sip:a@example.com SIP/2.0 ", 400)]
    [InlineData("OPTIONS <sip:a@example.com> SIP/2.0", 400)]
    [InlineData("OPTIONS sip:a@example.com; lr SIP/2.0", 400)]
    [InlineData("OPT(ONS sip:a@example.com SIP/2.0", 400)]
    [InlineData("OPTIONS sip:a@example.com", 400)]
    public void Parse_BadRequestLine_ThrowsWithSuggestedStatus(string requestLine, int status)
    {
        byte[] bytes = TestMessages.Bytes(requestLine + "\r\nl: 0\r\n\r\n");

        var error = Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
        Assert.Equal(status, error.SuggestedStatusCode);
        Assert.False(error.IsResponse);
    }

    [Theory]
    [InlineData("SIP/2.0 4294967301 better not break the receiver")]
    [InlineData("SIP/2.0 099 Too Low")]
    [InlineData("SIP/2.0 700 Too High")]
    [InlineData("SIP/2.0 20 Short")]
    [InlineData("SIP/2.0")]
    public void Parse_BadStatusLine_ThrowsMarkedAsResponse(string statusLine)
    {
        byte[] bytes = TestMessages.Bytes(statusLine + "\r\nl: 0\r\n\r\n");

        var error = Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
        Assert.True(error.IsResponse);
        Assert.Equal(SipValidationAction.Drop, SipValidationResult.FromParseFailure(error).Action);
    }

    [Fact]
    public void Parse_ResponseWithEmptyReason_Succeeds()
    {
        var response = Assert.IsType<SipResponse>(SipMessageParser.Parse(TestMessages.Bytes("SIP/2.0 180 \r\nl: 0\r\n\r\n")));

        Assert.Equal(180, response.StatusCode);
        Assert.Equal(string.Empty, response.ReasonPhrase);
    }

    [Theory]
    [InlineData("CSeq: 4294967296 INVITE")]
    [InlineData("CSeq: 1 OPTIONS")]
    [InlineData("CSeq: INVITE")]
    [InlineData("Max-Forwards: ten")]
    [InlineData("Call-ID: has space")]
    [InlineData("Call-ID: a@b@c")]
    [InlineData("Via: SIP/2.0/UDP")]
    [InlineData("Via: SIP/2.0 UDP host")]
    [InlineData("Via: SIP/2.0/UDP host;branch=")]
    [InlineData("Content-Type: application")]
    [InlineData("Route: sip:no-brackets.example.com")]
    [InlineData("no colon here")]
    [InlineData("Bad Name: value")]
    public void Parse_MalformedHeader_Throws400(string headerLine)
    {
        var error = Assert.Throws<SipParseException>(() => TestMessages.ParseInviteWith(headerLine + "\r\n"));

        Assert.Equal(400, error.SuggestedStatusCode);
    }

    [Fact]
    public void Parse_ViaWithOtherSipVersion_Throws505()
    {
        var error = Assert.Throws<SipParseException>(() => TestMessages.ParseInviteWith("Via: SIP/7.0/UDP host.example.com\r\n"));

        Assert.Equal(505, error.SuggestedStatusCode);
    }

    [Fact]
    public void Parse_UnknownMethodWithMismatchedCSeq_Suggests501()
    {
        byte[] bytes = TestMessages.Bytes("NEWMETHOD sip:a@example.com SIP/2.0\r\nCSeq: 8 INVITE\r\nl: 0\r\n\r\n");

        Assert.Equal(501, Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes)).SuggestedStatusCode);
    }

    [Fact]
    public void Parse_InvalidUtf8InHeaders_Throws400()
    {
        byte[] bytes = [.. "OPTIONS sip:a@example.com SIP/2.0\r\nSubject: "u8, 0xC3, 0x28, .. "\r\n\r\n"u8];

        Assert.Throws<SipParseException>(() => SipMessageParser.Parse(bytes));
    }

    [Fact]
    public void TryParse_Garbage_ReturnsFalseWithError()
    {
        Assert.False(SipMessageParser.TryParse("\0\0\0"u8, out SipMessage? message, out SipParseException? error));
        Assert.Null(message);
        Assert.NotNull(error);
        Assert.False(SipMessageParser.TryParse(ReadOnlySpan<byte>.Empty, out _));
    }

    [Fact]
    public void Parse_BinaryBodyWithBareCrAndLf_IsKeptByteExact()
    {
        byte[] body = [0, 13, 10, 13, 255, 10, 0];
        byte[] bytes = [.. Encoding.ASCII.GetBytes("MESSAGE sip:a@example.com SIP/2.0\r\nContent-Type: application/octet-stream\r\nContent-Length: 7\r\n\r\n"), .. body];

        Assert.Equal(body, SipMessageParser.Parse(bytes).Body);
    }
}
