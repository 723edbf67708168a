using CallCenter.EdgeSip.Calls;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class InDialogRoutingTests
{
    [Theory]
    [InlineData("Caller", "BYE", "HangUp")]
    [InlineData("Agent", "BYE", "HangUp")]
    [InlineData("Consult", "BYE", "HangUp")]
    [InlineData("Caller", "INVITE", "AnswerReInvite")]
    [InlineData("Agent", "INVITE", "AnswerReInvite")]
    [InlineData("Consult", "INVITE", "AnswerReInvite")]
    [InlineData("Agent", "REFER", "Transfer")]
    [InlineData("Caller", "INFO", "ReadDigit")]
    [InlineData("Agent", "INFO", "Acknowledge")]
    [InlineData("Consult", "INFO", "Acknowledge")]
    [InlineData("Caller", "NOTIFY", "Acknowledge")]
    [InlineData("Agent", "OPTIONS", "Acknowledge")]
    [InlineData("Caller", "REFER", "NotAllowed")]
    [InlineData("Agent", "MESSAGE", "NotAllowed")]
    [InlineData("Consult", "REFER", "Forbid")]
    [InlineData("Consult", "MESSAGE", "Forbid")]
    public void Route_ByLegAndMethod_GivesTheEdgesAction(string leg, string method, string expected) =>
        Assert.Equal(Enum.Parse<InDialogAction>(expected), InDialogRouting.Route(Enum.Parse<CallLegKind>(leg), method));

    [Theory]
    [InlineData(new string[0], null, "Missing Refer-To")]
    [InlineData(new[] { "<sip:7002@edge>" }, "<sip:7002@edge>", null)]
    [InlineData(new[] { "<sip:7002@edge>", "<sip:bob@edge>" }, null, "Several Refer-To")]
    public void ReferTarget_ExactlyOneReferTo_OtherwiseA400Reason(string[] referTo, string? target, string? refusal)
    {
        var text = "REFER sip:edge@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-refer\r\nFrom: <sip:alice@127.0.0.1>;tag=a\r\n"
            + "To: <sip:edge@127.0.0.1>;tag=e\r\nCall-ID: refer-1\r\nCSeq: 2 REFER\r\nMax-Forwards: 70\r\n"
            + string.Concat(referTo.Select(value => $"Refer-To: {value}\r\n")) + "Content-Length: 0\r\n\r\n";
        var refer = (SipRequest)SipMessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.Equal(target, InDialogRouting.ReferTarget(refer, out var reason));
        if (refusal is not null)
        {
            Assert.Equal(refusal, reason);
        }
    }
}
