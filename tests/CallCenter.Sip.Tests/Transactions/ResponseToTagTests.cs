using System.Text;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Transport;

namespace CallCenter.Sip.Tests.Transactions;

/// <summary>
/// RFC 3261 section 8.2.6.2 for every response a UAS sends to a request without a To tag: all but 100 carry a To tag,
/// the same one on every retransmission, whether the TU gave one or not and whoever built the response.
/// </summary>
public sealed class ResponseToTagTests
{
    public static TheoryData<string, int> MethodsAndStatuses()
    {
        var data = new TheoryData<string, int>();
        foreach (string method in new[] { SipMethods.Options, SipMethods.Invite, SipMethods.Register, SipMethods.Bye, SipMethods.Update, SipMethods.Refer })
        {
            foreach (int status in new[] { 180, 200, 400, 403, 404, 405, 420, 481, 488, 500, 503, 604 })
            {
                data.Add(method, status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MethodsAndStatuses))]
    public void Respond_WithoutToTag_AddsOne_AndTheSameOnRetransmission(string method, int status)
    {
        using var harness = new TransactionHarness();
        SipRequest request = TransactionHarness.PeerRequest(method);
        harness.PeerSend(request);
        SipServerTransaction transaction = Assert.Single(harness.ServerTransactions);

        transaction.Respond(status, "Status");
        harness.PeerSend(request);

        var answers = harness.PeerResponses(status);
        string? tag = answers[0].To?.Tag;
        Assert.False(string.IsNullOrEmpty(tag));
        if (method == SipMethods.Invite && status is >= 200 and < 300)
        {
            // A 2xx ends the INVITE transaction (the TU repeats it): the repeated INVITE is a new transaction, whose tag is the same.
            Assert.Equal(tag, harness.ServerTransactions[^1].LocalTag);
            return;
        }

        Assert.Equal(2, answers.Count);
        Assert.Equal(tag, answers[1].To?.Tag);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(405)]
    [InlineData(420)]
    [InlineData(503)]
    public void SendResponse_BuiltWithoutATag_GetsTheTransactionsTag(int status)
    {
        using var harness = new TransactionHarness();
        SipRequest options = TransactionHarness.PeerRequest(SipMethods.Options);
        harness.PeerSend(options);
        SipServerTransaction transaction = harness.ServerTransactions[0];

        transaction.SendResponse(SipMessageFactory.CreateResponse(transaction.Request, status, "Status"));
        harness.PeerSend(options);

        var answers = harness.PeerResponses(status);
        Assert.Equal(2, answers.Count);
        Assert.False(string.IsNullOrEmpty(answers[0].To?.Tag));
        Assert.Equal(answers[0].To?.Tag, answers[1].To?.Tag);
    }

    [Fact]
    public void Invite_ProvisionalThenFinalWithoutTag_BothCarryTheTagTheTuChoseFirst()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Invite));
        SipServerTransaction transaction = harness.ServerTransactions[0];

        transaction.Respond(180, "Ringing", "chosen");
        transaction.Respond(486, "Busy Here");

        Assert.Equal("chosen", Assert.Single(harness.PeerResponses(486)).To?.Tag);
    }

    [Fact]
    public void Trying_HasNoTag()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Invite));

        harness.ServerTransactions[0].Respond(100, "Trying");

        Assert.Null(Assert.Single(harness.PeerResponses(100)).To?.Tag);
    }

    [Fact]
    public void Cancel_BeforeAnyProvisional_200And487CarryTheSameTag()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        harness.PeerSend(SipMessageFactory.CreateCancel(invite));

        string? cancelTag = Assert.Single(harness.PeerResponses(200)).To?.Tag;
        Assert.False(string.IsNullOrEmpty(cancelTag));
        Assert.Equal(cancelTag, Assert.Single(harness.PeerResponses(487)).To?.Tag);
    }

    [Fact]
    public void InDialogRequest_KeepsItsOwnTag()
    {
        using var harness = new TransactionHarness();
        SipRequest bye = TransactionHarness.PeerRequest(SipMethods.Bye);
        bye.Headers.Set(SipHeaderNames.To, "<sip:bob@192.0.2.1>;tag=dialog");
        harness.PeerSend(bye);

        harness.ServerTransactions[0].Respond(200, "OK");

        Assert.Equal("dialog", Assert.Single(harness.PeerResponses(200)).To?.Tag);
    }

    [Fact]
    public void MalformedRequest_ErrorResponseCarriesADerivedTag_TheSameForARetransmission()
    {
        byte[] malformed = Encoding.UTF8.GetBytes(
            "OPTIONS sip:bob@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKbad\r\nFrom: <sip:alice@192.0.2.2>;tag=a\r\n"
            + "To: <sip:bob@192.0.2.1>\r\nCall-ID: bad-1\r\nCSeq: x OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        var error = Assert.Throws<SipParseException>(() => SipMessageParser.Parse(malformed));

        SipResponse? first = SipMalformedRequestResponder.TryCreateResponse(malformed, error);
        SipResponse? second = SipMalformedRequestResponder.TryCreateResponse(malformed, error);

        Assert.NotNull(first);
        string to = first.Headers.GetFirst(SipHeaderNames.To)!;
        Assert.Contains(";tag=", to, StringComparison.Ordinal);
        Assert.Equal(to, second!.Headers.GetFirst(SipHeaderNames.To));
    }
}
