using CallCenter.EdgeSip.Calls;

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
}
