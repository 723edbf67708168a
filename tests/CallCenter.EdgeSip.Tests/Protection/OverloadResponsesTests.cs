using System.Text;
using CallCenter.EdgeSip.Protection;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Tests.Protection;

public sealed class OverloadResponsesTests
{
    [Theory]
    [InlineData(0, "1")]
    [InlineData(200, "1")]
    [InlineData(1000, "1")]
    [InlineData(1001, "2")]
    [InlineData(30_000, "30")]
    public void ServiceUnavailable_Is503WithRetryAfterInWholeSeconds(int milliseconds, string expected)
    {
        SipRequest invite = (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(
            "INVITE sip:queue@example.com SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK-flood\r\n" +
            "Max-Forwards: 70\r\n" +
            "To: <sip:queue@example.com>\r\n" +
            "From: <sip:caller@203.0.113.7>;tag=c1\r\n" +
            "Call-ID: flood-1\r\n" +
            "CSeq: 1 INVITE\r\n" +
            "Content-Length: 0\r\n\r\n"));

        SipResponse response = OverloadResponses.ServiceUnavailable(invite, TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal((503, "Service Unavailable"), (response.StatusCode, response.ReasonPhrase));
        Assert.Equal(expected, response.Headers.GetFirst("Retry-After"));
        Assert.Equal("flood-1", response.CallId);
        Assert.Equal("z9hG4bK-flood", response.TopVia?.Branch);
        Assert.NotNull(response.To?.Tag);
    }
}
