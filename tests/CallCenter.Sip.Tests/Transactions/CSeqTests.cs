using CallCenter.Sip.Transactions;
using CallCenter.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Transactions;

/// <summary>
/// A request whose CSeq cannot be read reaches the layer only from a transport that does not parse with validation
/// (the UDP and TCP transports answer it 400 themselves). Its Via, From, To and Call-ID still say where and what to
/// answer, so the layer answers 400 instead of dropping it, and makes no transaction of it.
/// </summary>
public sealed class CSeqTests
{
    [Theory]
    [InlineData("z9hG4bKpeer1")]
    [InlineData("rfc2543-branch")]
    public void Layer_RequestWithUnreadableCSeq_IsAnswered400WithoutTransaction(string branch)
    {
        var transport = new UncheckedTransport();
        using var layer = new SipTransactionLayer(transport, new FakeTimeProvider());
        var transactions = new List<SipServerTransaction>();
        layer.RequestReceived += transactions.Add;
        layer.Start();
        SipRequest request = TransactionHarness.PeerRequest(SipMethods.Options, branch: branch);
        request.Headers.Set(SipHeaderNames.CSeq, "one OPTIONS");

        transport.Receive(request);

        Assert.Empty(transactions);
        Assert.Equal(0, layer.TransactionCount);
        var response = Assert.IsType<SipResponse>(Assert.Single(transport.Sent));
        Assert.Equal(400, response.StatusCode);
        Assert.Equal(request.CallId, response.CallId);
        Assert.Equal("one OPTIONS", response.Headers.GetFirst(SipHeaderNames.CSeq));
        Assert.Equal(1, layer.DroppedCount);
    }

    [Fact]
    public void Layer_AckWithUnreadableCSeq_IsDroppedUnanswered()
    {
        var transport = new UncheckedTransport();
        using var layer = new SipTransactionLayer(transport, new FakeTimeProvider());
        var acks = new List<SipInboundMessage>();
        layer.AckReceived += acks.Add;
        layer.Start();
        SipRequest ack = TransactionHarness.PeerRequest(SipMethods.Ack);
        ack.Headers.Set(SipHeaderNames.CSeq, "1 2 3");

        transport.Receive(ack);

        Assert.Empty(acks);
        Assert.Empty(transport.Sent);
        Assert.Equal(1, layer.DroppedCount);
    }

    [Fact]
    public void Layer_RequestWithReadableCSeq_StillMakesATransaction()
    {
        var transport = new UncheckedTransport();
        using var layer = new SipTransactionLayer(transport, new FakeTimeProvider());
        var transactions = new List<SipServerTransaction>();
        layer.RequestReceived += transactions.Add;
        layer.Start();

        transport.Receive(TransactionHarness.PeerRequest(SipMethods.Options, cseq: 7));

        Assert.Single(transactions);
        Assert.Empty(transport.Sent);
        Assert.Equal(0, layer.DroppedCount);
    }
}
