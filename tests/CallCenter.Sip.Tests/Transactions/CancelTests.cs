using CallCenter.Sip.Transactions;

namespace CallCenter.Sip.Tests.Transactions;

public sealed class CancelTests
{
    [Fact]
    public void Cancel_PendingInvite_Answers487ToInviteAnd200ToCancel()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        SipServerTransaction inviteTransaction = harness.ServerTransactions[0];
        inviteTransaction.Respond(180, "Ringing", "bobtag");

        harness.PeerSend(SipMessageFactory.CreateCancel(invite));

        SipResponse cancelOk = Assert.Single(harness.PeerResponses(200));
        Assert.Equal(SipMethods.Cancel, cancelOk.CSeq!.Method);
        SipResponse terminated = Assert.Single(harness.PeerResponses(487));
        Assert.Equal(SipMethods.Invite, terminated.CSeq!.Method);
        Assert.Equal("bobtag", terminated.To!.Tag);
        Assert.Same(inviteTransaction, Assert.Single(harness.Cancelled));
        Assert.Single(harness.ServerTransactions);

        // The TU's late answer is ignored; the ACK for the 487 is absorbed by the INVITE transaction.
        inviteTransaction.Respond(200, "OK", "bobtag");
        Assert.Single(harness.PeerResponses(200));
        harness.PeerSend(SipMessageFactory.CreateAckForFailure(invite, terminated));
        Assert.Equal(SipTransactionState.Confirmed, inviteTransaction.State);
        Assert.Empty(harness.TuAcks);
    }

    [Fact]
    public void Cancel_NoMatchingInvite_Answers481()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite, branch: "z9hG4bKnever-sent");

        harness.PeerSend(SipMessageFactory.CreateCancel(invite));

        Assert.Single(harness.PeerResponses(481));
        Assert.Empty(harness.ServerTransactions);
    }

    [Fact]
    public void Cancel_InviteAlreadyAnswered_Answers200AndLeavesInviteAlone()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        harness.ServerTransactions[0].Respond(486, "Busy Here", "bobtag");

        harness.PeerSend(SipMessageFactory.CreateCancel(invite));

        Assert.Single(harness.PeerResponses(200));
        Assert.Empty(harness.PeerResponses(487));
        Assert.Empty(harness.Cancelled);
    }

    [Fact]
    public void CreateCancel_Invite_CopiesRequestUriCallIdFromToCSeqNumberAndTopVia()
    {
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite, cseq: 42);
        invite.Headers.Add(SipHeaderNames.Route, "<sip:proxy.example.com;lr>");

        SipRequest cancel = SipMessageFactory.CreateCancel(invite);

        Assert.Equal(SipMethods.Cancel, cancel.Method);
        Assert.Equal(invite.RequestUri, cancel.RequestUri);
        Assert.Equal(invite.CallId, cancel.CallId);
        Assert.Equal(invite.Headers.GetFirst(SipHeaderNames.From), cancel.Headers.GetFirst(SipHeaderNames.From));
        Assert.Equal(invite.Headers.GetFirst(SipHeaderNames.To), cancel.Headers.GetFirst(SipHeaderNames.To));
        Assert.Equal(new Headers.CSeqHeader(42, SipMethods.Cancel), cancel.CSeq);
        Assert.Equal(invite.Headers.GetFirst(SipHeaderNames.Via), Assert.Single(cancel.Headers.GetAll(SipHeaderNames.Via)));
        Assert.Equal(invite.Routes.Single().ToString(), cancel.Routes.Single().ToString());
    }

    [Fact]
    public void ClientCancel_BeforeProvisional_WaitsThenSendsCancelWithInviteBranch()
    {
        using var harness = new TransactionHarness();
        var transaction = (SipInviteClientTransaction)harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        SipRequest invite = harness.PeerRequests(SipMethods.Invite)[0];

        transaction.Cancel();
        Assert.Empty(harness.PeerRequests(SipMethods.Cancel));

        harness.PeerSend(TransactionHarness.Answer(invite, 180, "Ringing"));
        SipRequest cancel = Assert.Single(harness.PeerRequests(SipMethods.Cancel));
        Assert.Equal(invite.TopVia!.Branch, cancel.TopVia!.Branch);
        Assert.NotNull(transaction.CancelTransaction);

        // Both transactions complete independently: 200 to the CANCEL, 487 to the INVITE (which is ACKed).
        harness.PeerSend(TransactionHarness.Answer(cancel, 200, "OK"));
        harness.PeerSend(TransactionHarness.Answer(invite, 487, "Request Terminated"));
        Assert.Equal(200, transaction.CancelTransaction!.LastResponse!.StatusCode);
        Assert.Equal(487, transaction.LastResponse!.StatusCode);
        Assert.Single(harness.PeerRequests(SipMethods.Ack));
    }

    [Fact]
    public void Cancel_LayerNotHandlingCancel_PassesCancelToTu()
    {
        using var harness = new TransactionHarness(options: new SipTransactionLayerOptions { HandleCancel = false });
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);

        harness.PeerSend(SipMessageFactory.CreateCancel(invite));

        Assert.Equal([SipMethods.Invite, SipMethods.Cancel], harness.ServerTransactions.Select(transaction => transaction.Method));
        Assert.Same(harness.ServerTransactions[0], harness.Layer.FindInviteForCancel(harness.ServerTransactions[1].Request));
        Assert.Empty(harness.PeerResponses(487));
    }
}
