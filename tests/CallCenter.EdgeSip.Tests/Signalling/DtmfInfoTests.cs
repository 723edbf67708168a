using System.Text;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Tests.Signalling;

public sealed class DtmfInfoTests
{
    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5')]
    [InlineData("application/dtmf-relay", "Signal= #\r\nDuration=100", '#')]
    [InlineData("application/dtmf", "9", '9')]
    [InlineData("Application/DTMF", "*", '*')]
    public void TryRead_ReadsTheDigit(string contentType, string body, char expected)
    {
        Assert.True(DtmfInfo.TryRead(Info(contentType, body), out var digit));
        Assert.Equal(expected, digit);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Duration=160")]
    [InlineData("application/dtmf-relay", "Signal=55")]
    [InlineData("application/dtmf", "x")]
    [InlineData("text/plain", "5")]
    [InlineData("application/dtmf", "")]
    public void TryRead_RefusesAnythingElse(string contentType, string body) =>
        Assert.False(DtmfInfo.TryRead(Info(contentType, body), out _));

    private static SipRequest Info(string contentType, string body)
    {
        var request = new SipRequest(SipMethods.Info, SipUri.Parse("sip:edge@127.0.0.1"));
        request.Headers.Add("Content-Type", contentType);
        request.Body = Encoding.ASCII.GetBytes(body);
        return request;
    }
}
