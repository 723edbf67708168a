using System.Text;
using CallCenter.EdgeSip.Calls;
using CallCenter.Model;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class EntryPointNumbersTests
{
    private static SipRequest Invite(string requestUri, string to) => (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(
        $"INVITE {requestUri} SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 203.0.113.7;branch=z9hG4bK-number\r\n" +
        "Max-Forwards: 70\r\n" +
        $"To: <{to}>\r\n" +
        "From: <sip:caller@203.0.113.7>;tag=c1\r\n" +
        "Call-ID: number-1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Content-Length: 0\r\n\r\n"));

    [Theory]
    [InlineData("sip:4000@edge.example", "sip:9999@edge.example", "4000")]
    [InlineData("sip:edge.example", "sip:4100@edge.example", "4100")]
    [InlineData("sip:edge.example", "sip:edge.example", "")]
    public void DialledNumber_IsTheRequestUrisUser_ElseTheTos(string requestUri, string to, string number) =>
        Assert.Equal(number, EntryPointNumbers.DialledNumber(Invite(requestUri, to)));

    [Fact]
    public void Refuse_WithAConfiguration_Is404WithOurToTag()
    {
        var response = EntryPointNumbers.Refuse(Invite("sip:7999@edge.example", "sip:7999@edge.example"), configurationLoaded: true);

        Assert.Equal((404, "Not Found"), (response.StatusCode, response.ReasonPhrase));
        Assert.NotNull(response.To?.Tag);
        Assert.Equal("number-1", response.CallId);
    }

    [Fact]
    public void Refuse_WithoutAnyConfiguration_Is503WithRetryAfter_TheNumberMayBeOurs()
    {
        var response = EntryPointNumbers.Refuse(Invite("sip:7999@edge.example", "sip:7999@edge.example"), configurationLoaded: false);

        Assert.Equal(503, response.StatusCode);
        Assert.Equal("5", response.Headers.GetFirst("Retry-After"));
    }

    [Fact]
    public void OverflowAnnouncement_IsTheQueuesConfiguredOne_OrNone()
    {
        var queue = new QueueDefinition { Id = "q", Name = "Q" };

        Assert.Null(QueueAnnouncements.OverflowAnnouncementOf(null));
        Assert.Null(QueueAnnouncements.OverflowAnnouncementOf(queue));
        Assert.Equal("experts-busy", QueueAnnouncements.OverflowAnnouncementOf(queue with
        {
            Overflow = new OverflowAction { Kind = OverflowKind.Disconnect, AfterSeconds = 60, AnnouncementId = "experts-busy" },
        }));
    }
}
