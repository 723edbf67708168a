using CallCenter.Sip.Transactions;

namespace CallCenter.Sip.Tests.Transactions;

public sealed class ServerTransactionTests
{
    [Fact]
    public void InviteServer_TuSilentFor200Ms_Sends100Trying()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Invite));
        SipServerTransaction transaction = Assert.Single(harness.ServerTransactions);
        Assert.IsType<SipInviteServerTransaction>(transaction);

        harness.Advance(199);
        Assert.Empty(harness.PeerReceived);
        harness.Advance(1);

        SipResponse trying = Assert.Single(harness.PeerResponses(100));
        Assert.Null(trying.To!.Tag);
        Assert.Equal("z9hG4bKpeer1", trying.TopVia!.Branch);
        harness.Advance(10_000);
        Assert.Single(harness.PeerReceived);
    }

    [Fact]
    public void InviteServer_TuAnswersWithin200Ms_SendsNo100Trying()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Invite));
        harness.Advance(100);
        harness.ServerTransactions[0].Respond(180, "Ringing", "bobtag");

        harness.Advance(1000);

        Assert.Single(harness.PeerResponses(180));
        Assert.Empty(harness.PeerResponses(100));
    }

    [Fact]
    public void InviteServer_RetransmittedInviteInProceeding_GetsLastProvisionalAgain()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        harness.ServerTransactions[0].Respond(180, "Ringing", "bobtag");

        harness.PeerSend(invite);

        Assert.Single(harness.ServerTransactions);
        Assert.Equal(2, harness.PeerResponses(180).Count);
    }

    [Fact]
    public void InviteServer_FailureOverUdpWithoutAck_RetransmitsOnTimerGThenTimesOutOnTimerH()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Invite));
        SipServerTransaction transaction = harness.ServerTransactions[0];
        transaction.Respond(486, "Busy Here", "bobtag");
        Assert.Single(harness.PeerResponses(486));
        Assert.Equal(SipTransactionState.Completed, transaction.State);

        // Timer G: T1, 2T1, then capped at T2: resends at 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 s.
        int[] steps = [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000];
        for (int i = 0; i < steps.Length; i++)
        {
            harness.Advance(steps[i] - 1);
            Assert.Equal(i + 1, harness.PeerResponses(486).Count);
            harness.Advance(1);
            Assert.Equal(i + 2, harness.PeerResponses(486).Count);
        }

        harness.Advance(499);
        Assert.Empty(harness.TimedOut);
        harness.Advance(1); // Timer H = 64*T1.
        Assert.Same(transaction, Assert.Single(harness.TimedOut));
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        harness.Advance(10_000);
        Assert.Equal(11, harness.PeerResponses(486).Count);
    }

    [Fact]
    public void InviteServer_AckForFailure_IsAbsorbedStopsTimerGAndTimerIEndsTransaction()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        SipServerTransaction transaction = harness.ServerTransactions[0];
        SipResponse busy = transaction.Respond(486, "Busy Here", "bobtag");
        harness.Advance(500);
        Assert.Equal(2, harness.PeerResponses(486).Count);

        SipRequest ack = SipMessageFactory.CreateAckForFailure(invite, busy);
        harness.PeerSend(ack);
        harness.PeerSend(ack);

        Assert.Equal(SipTransactionState.Confirmed, transaction.State);
        Assert.Empty(harness.TuAcks);
        Assert.Single(harness.ServerTransactions);
        harness.Advance(4999);
        Assert.Equal(SipTransactionState.Confirmed, transaction.State);
        harness.Advance(1); // Timer I = T4.
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        Assert.Equal(2, harness.PeerResponses(486).Count);
        Assert.Empty(harness.TimedOut);
    }

    [Fact]
    public void InviteServer_RetransmittedInviteInCompleted_GetsFinalResponseAgain()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        harness.ServerTransactions[0].Respond(486, "Busy Here", "bobtag");

        harness.PeerSend(invite);

        Assert.Equal(2, harness.PeerResponses(486).Count);
        Assert.Single(harness.ServerTransactions);
    }

    [Fact]
    public void InviteServer_FailureOverReliableTransport_NoRetransmissionsAndAckEndsAtOnce()
    {
        using var harness = new TransactionHarness(reliable: true);
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite, transport: "TCP");
        harness.PeerSend(invite);
        SipServerTransaction transaction = harness.ServerTransactions[0];
        SipResponse busy = transaction.Respond(486, "Busy Here", "bobtag");

        harness.Advance(20_000);
        Assert.Single(harness.PeerResponses(486));

        harness.PeerSend(SipMessageFactory.CreateAckForFailure(invite, busy));
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
    }

    [Fact]
    public void InviteServer_SuccessResponse_TerminatesAndAckGoesToTu()
    {
        using var harness = new TransactionHarness();
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        harness.PeerSend(invite);
        SipServerTransaction transaction = harness.ServerTransactions[0];
        transaction.Respond(200, "OK", "bobtag");

        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        harness.Advance(2000);
        Assert.Single(harness.PeerResponses(200));

        SipRequest ack = TransactionHarness.PeerRequest(SipMethods.Ack, branch: "z9hG4bKpeer-ack");
        harness.PeerSend(ack);
        Assert.Single(harness.TuAcks);
        Assert.Single(harness.ServerTransactions);
    }

    [Fact]
    public void NonInviteServer_RetransmittedRequest_GetsLastResponseAgainUntilTimerJ()
    {
        using var harness = new TransactionHarness();
        SipRequest options = TransactionHarness.PeerRequest(SipMethods.Options);
        harness.PeerSend(options);
        SipServerTransaction transaction = Assert.Single(harness.ServerTransactions);
        Assert.IsType<SipNonInviteServerTransaction>(transaction);

        // Trying: a retransmission has nothing to be answered with.
        harness.PeerSend(options);
        Assert.Empty(harness.PeerReceived);

        transaction.Respond(200, "OK", "bobtag");
        harness.PeerSend(options);
        harness.PeerSend(options);
        Assert.Equal(3, harness.PeerResponses(200).Count);
        Assert.Single(harness.ServerTransactions);

        // No timer-driven retransmission of non-INVITE responses; Timer J = 64*T1 over UDP.
        harness.Advance(31_999);
        Assert.Equal(3, harness.PeerResponses(200).Count);
        Assert.Equal(SipTransactionState.Completed, transaction.State);
        harness.Advance(1);
        Assert.Equal(SipTransactionState.Terminated, transaction.State);

        // After J the same request is new again.
        harness.PeerSend(options);
        Assert.Equal(2, harness.ServerTransactions.Count);
    }

    [Fact]
    public void NonInviteServer_ProvisionalThenRetransmission_ResendsProvisional()
    {
        using var harness = new TransactionHarness();
        SipRequest options = TransactionHarness.PeerRequest(SipMethods.Options);
        harness.PeerSend(options);
        harness.ServerTransactions[0].Respond(100, "Trying");

        harness.PeerSend(options);

        Assert.Equal(2, harness.PeerResponses(100).Count);
        Assert.Equal(SipTransactionState.Proceeding, harness.ServerTransactions[0].State);
    }

    [Fact]
    public void NonInviteServer_ReliableTransport_TerminatesOnFinalResponse()
    {
        using var harness = new TransactionHarness(reliable: true);
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Options, transport: "TCP"));
        SipServerTransaction transaction = harness.ServerTransactions[0];

        transaction.Respond(200, "OK", "bobtag");

        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        Assert.Equal(0, harness.Layer.TransactionCount);
    }

    [Fact]
    public void Layer_SameBranchFromOtherSentBy_CreatesSeparateTransaction()
    {
        using var harness = new TransactionHarness();
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Options, sentBy: "192.0.2.2:5060"));
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Options, sentBy: "192.0.2.9:5060"));
        harness.PeerSend(TransactionHarness.PeerRequest(SipMethods.Info, sentBy: "192.0.2.2:5060"));

        Assert.Equal(3, harness.ServerTransactions.Count);
    }

    [Fact]
    public void Layer_RequestMissingCallId_IsAnswered400WithoutTransaction()
    {
        using var harness = new TransactionHarness();
        SipRequest request = TransactionHarness.PeerRequest(SipMethods.Options);
        request.Headers.RemoveAll(SipHeaderNames.CallId);

        harness.PeerSend(request);

        Assert.Empty(harness.ServerTransactions);
        Assert.Single(harness.PeerResponses(400));
    }

    [Fact]
    public void Layer_SentByOtherThanSource_AddsReceivedAndFillsRPort()
    {
        using var harness = new TransactionHarness();
        SipRequest request = TransactionHarness.PeerRequest(SipMethods.Options, sentBy: "alice-pc.example.com:5062");
        request.Headers.Set(SipHeaderNames.Via, "SIP/2.0/UDP alice-pc.example.com:5062;branch=z9hG4bKpeer1;rport");

        harness.PeerSend(request);
        harness.PeerSend(request);
        harness.ServerTransactions[0].Respond(200, "OK", "bobtag");

        Headers.ViaHeader via = Assert.Single(harness.PeerResponses(200)).TopVia!;
        Assert.Equal("192.0.2.2", via.Received);
        Assert.Equal(5060, via.RPort);
        Assert.Equal("alice-pc.example.com", via.Host);
        Assert.Single(harness.ServerTransactions);
    }
}
