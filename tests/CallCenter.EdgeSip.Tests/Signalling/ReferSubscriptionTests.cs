using System.Text;
using CallCenter.EdgeSip.Signalling;
using CallCenter.Sip;
using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Transactions;

namespace CallCenter.EdgeSip.Tests.Signalling;

/// <summary>RFC 3515 2.4.4 / RFC 6665: the NOTIFYs of a REFER's implicit subscription, their order and their failures.</summary>
public sealed class ReferSubscriptionTests
{
    [Fact]
    public async Task TryingThenOutcome_TwoNotifiesInCSeqOrder_ActiveWithExpiresThenTerminated()
    {
        var sent = new List<SipRequest>();
        var subscription = new ReferSubscription(Dialog(), notify => Answer(sent, notify, 200));

        await subscription.NotifyTryingAsync();
        await subscription.NotifyOutcomeAsync("SIP/2.0 200 OK");

        Assert.Equal(2, sent.Count);
        Assert.All(sent, notify =>
        {
            Assert.Equal(SipMethods.Notify, notify.Method);
            Assert.Equal("refer", notify.Headers.GetFirst("Event"));
            Assert.Equal("message/sipfrag;version=2.0", notify.Headers.GetFirst(SipHeaderNames.ContentType));
        });
        Assert.Equal("SIP/2.0 100 Trying\r\n", Encoding.UTF8.GetString(sent[0].Body));
        Assert.Equal("active;expires=60", sent[0].Headers.GetFirst("Subscription-State"));
        Assert.Equal("SIP/2.0 200 OK\r\n", Encoding.UTF8.GetString(sent[1].Body));
        Assert.Equal("terminated;reason=noresource", sent[1].Headers.GetFirst("Subscription-State"));
        Assert.True(sent[1].CSeq!.Number > sent[0].CSeq!.Number);
        Assert.True(subscription.Ended);
    }

    [Theory]
    [InlineData(481)]
    [InlineData(408)]
    [InlineData(503)]
    [InlineData(500)]
    public async Task TryingFails_TheSubscriptionEnds_AndTheOutcomeIsNotSent(int status)
    {
        var sent = new List<SipRequest>();
        var subscription = new ReferSubscription(Dialog(), notify => Answer(sent, notify, status));

        await subscription.NotifyTryingAsync();
        await subscription.NotifyOutcomeAsync("SIP/2.0 603 Declined");

        Assert.Single(sent);
        Assert.True(subscription.Ended);
    }

    [Fact]
    public async Task SendThrows_TheSubscriptionEnds_WithoutAnExceptionForTheCall()
    {
        var subscription = new ReferSubscription(Dialog(), _ => Task.FromException<SipResponse>(new IOException("socket gone")));

        await subscription.NotifyTryingAsync();
        await subscription.NotifyOutcomeAsync("SIP/2.0 200 OK");

        Assert.True(subscription.Ended);
    }

    [Fact]
    public async Task Outcome_WaitsForTheTryingTransaction_ThenGoes()
    {
        var sent = new List<SipRequest>();
        var tryingAnswered = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = new ReferSubscription(Dialog(), notify =>
        {
            lock (sent)
            {
                sent.Add(notify);
                return sent.Count == 1 ? tryingAnswered.Task : Task.FromResult(SipMessageFactory.CreateResponse(notify, 200, "OK"));
            }
        });

        var trying = subscription.NotifyTryingAsync();
        var outcome = subscription.NotifyOutcomeAsync("SIP/2.0 200 OK");

        Assert.False(outcome.IsCompleted);
        Assert.Single(sent);
        tryingAnswered.SetResult(SipMessageFactory.CreateResponse(sent[0], 200, "OK"));
        await Task.WhenAll(trying, outcome);
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public async Task AfterTheOutcome_NothingMoreIsSent()
    {
        var sent = new List<SipRequest>();
        var subscription = new ReferSubscription(Dialog(), notify => Answer(sent, notify, 200));

        await subscription.NotifyOutcomeAsync("SIP/2.0 200 OK");
        await subscription.NotifyOutcomeAsync("SIP/2.0 200 OK");
        await subscription.NotifyTryingAsync();

        Assert.Single(sent);
    }

    private static Task<SipResponse> Answer(List<SipRequest> sent, SipRequest notify, int status)
    {
        sent.Add(notify);
        return Task.FromResult(SipMessageFactory.CreateResponse(notify, status, "Answer"));
    }

    // The edge's dialog with an agent's phone: the edge sent the INVITE (UAC), the phone answered 200.
    private static SipDialog Dialog()
    {
        var invite = (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(
            "INVITE sip:agent@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-sub\r\n"
            + "From: <sip:caller@127.0.0.1>;tag=edge\r\nTo: <sip:agent@127.0.0.1:5070>\r\nCall-ID: refer-sub-1\r\n"
            + "CSeq: 1 INVITE\r\nContact: <sip:edge@127.0.0.1:5060>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"));
        var ok = SipMessageFactory.CreateResponse(invite, 200, "OK", "phone");
        ok.Headers.Add(SipHeaderNames.Contact, "<sip:agent@127.0.0.1:5070>");
        return SipDialog.CreateAsUac(invite, ok);
    }
}
