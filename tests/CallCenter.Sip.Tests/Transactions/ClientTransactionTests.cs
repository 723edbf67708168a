using CallCenter.Sip.Transactions;

namespace CallCenter.Sip.Tests.Transactions;

public sealed class ClientTransactionTests
{
    [Fact]
    public async Task InviteClient_NoResponseOverUdp_RetransmitsOnTimerADoublingThenTimesOutOnTimerB()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        Assert.Single(harness.PeerRequests(SipMethods.Invite));

        // Timer A: T1, 2T1, 4T1, ... after each send: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s.
        int[] steps = [500, 1000, 2000, 4000, 8000, 16000];
        for (int i = 0; i < steps.Length; i++)
        {
            harness.Advance(steps[i] - 1);
            Assert.Equal(i + 1, harness.PeerRequests(SipMethods.Invite).Count);
            harness.Advance(1);
            Assert.Equal(i + 2, harness.PeerRequests(SipMethods.Invite).Count);
        }

        Assert.Empty(harness.TimedOut);
        harness.Advance(499);
        Assert.Empty(harness.TimedOut);
        harness.Advance(1); // Timer B = 64*T1 = 32 s.
        Assert.Same(transaction, Assert.Single(harness.TimedOut));
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        await Assert.ThrowsAsync<TimeoutException>(() => transaction.FinalResponse);

        harness.Advance(60_000);
        Assert.Equal(7, harness.PeerRequests(SipMethods.Invite).Count);
        Assert.Equal(0, harness.Layer.TransactionCount);
    }

    [Fact]
    public void InviteClient_ReliableTransport_NeverRetransmitsAndTimesOutAfter64T1()
    {
        using var harness = new TransactionHarness(reliable: true);
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);

        harness.Advance(31_999);
        Assert.Single(harness.PeerRequests(SipMethods.Invite));
        Assert.Empty(harness.TimedOut);
        harness.Advance(1);
        Assert.Same(transaction, Assert.Single(harness.TimedOut));
        Assert.Single(harness.PeerRequests(SipMethods.Invite));
    }

    [Fact]
    public void InviteClient_ProvisionalResponse_StopsRetransmissionsAndTimerB()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        harness.Advance(500);
        SipRequest invite = harness.PeerRequests(SipMethods.Invite)[0];
        harness.PeerSend(TransactionHarness.Answer(invite, 180, "Ringing"));

        Assert.Equal(SipTransactionState.Proceeding, transaction.State);
        Assert.Equal(180, Assert.Single(harness.TuResponses).StatusCode);
        harness.Advance(120_000);
        Assert.Equal(2, harness.PeerRequests(SipMethods.Invite).Count);
        Assert.Empty(harness.TimedOut);
    }

    [Fact]
    public void InviteClient_FailureResponse_SendsAckWithSameBranchAndAbsorbsRetransmissions()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        SipRequest invite = harness.PeerRequests(SipMethods.Invite)[0];
        SipResponse busy = TransactionHarness.Answer(invite, 486, "Busy Here");

        harness.PeerSend(busy);

        SipRequest ack = Assert.Single(harness.PeerRequests(SipMethods.Ack));
        Assert.Equal(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Single(ack.Vias);
        Assert.Equal(invite.RequestUri, ack.RequestUri);
        Assert.Equal("bobtag", ack.To!.Tag);
        Assert.Equal(invite.CallId, ack.CallId);
        Assert.Equal(invite.From!.Tag, ack.From!.Tag);
        Assert.Equal(new Headers.CSeqHeader(1, SipMethods.Ack), ack.CSeq);
        Assert.Equal(486, Assert.Single(harness.TuResponses).StatusCode);
        Assert.Equal(SipTransactionState.Completed, transaction.State);

        harness.PeerSend(busy);
        Assert.Equal(2, harness.PeerRequests(SipMethods.Ack).Count);
        Assert.Single(harness.TuResponses);

        // Timer D (32 s over UDP) then Terminated; no INVITE retransmissions meanwhile.
        harness.Advance(31_999);
        Assert.Equal(SipTransactionState.Completed, transaction.State);
        harness.Advance(1);
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        Assert.Single(harness.PeerRequests(SipMethods.Invite));
        Assert.Empty(harness.TimedOut);
    }

    [Fact]
    public void InviteClient_FailureOverReliableTransport_TerminatesWithoutTimerD()
    {
        using var harness = new TransactionHarness(reliable: true);
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        harness.PeerSend(TransactionHarness.Answer(harness.PeerRequests(SipMethods.Invite)[0], 603, "Decline"));

        Assert.Single(harness.PeerRequests(SipMethods.Ack));
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
    }

    [Fact]
    public async Task InviteClient_SuccessResponse_PassesToTuTerminatesAndLeavesRetransmitted2xxToTu()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        SipResponse ok = TransactionHarness.Answer(harness.PeerRequests(SipMethods.Invite)[0], 200, "OK");

        harness.PeerSend(ok);

        Assert.Equal(200, (await transaction.FinalResponse).StatusCode);
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        Assert.Empty(harness.PeerRequests(SipMethods.Ack));

        harness.PeerSend(ok);
        Assert.Single(harness.TuResponses);
        Assert.Single(harness.UnmatchedSuccesses);
        Assert.Equal(0, harness.Layer.StrayResponseCount);
    }

    [Fact]
    public async Task NonInviteClient_NoResponseOverUdp_RetransmitsOnTimerECappedAtT2ThenTimesOutOnTimerF()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), harness.PeerEndPoint);

        // Timer E: 0.5, 1, 2, then T2 = 4 s: sends at 0, 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 s.
        int[] steps = [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000];
        for (int i = 0; i < steps.Length; i++)
        {
            harness.Advance(steps[i] - 1);
            Assert.Equal(i + 1, harness.PeerRequests(SipMethods.Options).Count);
            harness.Advance(1);
            Assert.Equal(i + 2, harness.PeerRequests(SipMethods.Options).Count);
        }

        harness.Advance(499);
        Assert.Empty(harness.TimedOut);
        harness.Advance(1); // Timer F = 32 s.
        Assert.Same(transaction, Assert.Single(harness.TimedOut));
        await Assert.ThrowsAsync<TimeoutException>(() => transaction.FinalResponse);
        harness.Advance(10_000);
        Assert.Equal(11, harness.PeerRequests(SipMethods.Options).Count);
    }

    [Fact]
    public void NonInviteClient_ProvisionalResponse_RetransmitsEveryT2()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), harness.PeerEndPoint);
        harness.Advance(500);
        Assert.Equal(2, harness.PeerRequests(SipMethods.Options).Count);

        harness.PeerSend(TransactionHarness.Answer(harness.PeerRequests(SipMethods.Options)[0], 100, "Trying"));
        Assert.Equal(SipTransactionState.Proceeding, transaction.State);

        // The next retransmission (due 1 s after the last) goes out in Proceeding and then the interval is T2.
        harness.Advance(1000);
        Assert.Equal(3, harness.PeerRequests(SipMethods.Options).Count);
        harness.Advance(3999);
        Assert.Equal(3, harness.PeerRequests(SipMethods.Options).Count);
        harness.Advance(1);
        Assert.Equal(4, harness.PeerRequests(SipMethods.Options).Count);
    }

    [Fact]
    public void NonInviteClient_FinalResponse_AbsorbsRetransmissionsUntilTimerK()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), harness.PeerEndPoint);
        SipResponse ok = TransactionHarness.Answer(harness.PeerRequests(SipMethods.Options)[0], 200, "OK");

        harness.PeerSend(ok);
        harness.PeerSend(ok);

        Assert.Single(harness.TuResponses);
        Assert.Equal(1, harness.Layer.AbsorbedCount);
        Assert.Equal(SipTransactionState.Completed, transaction.State);
        harness.Advance(4999);
        Assert.Equal(SipTransactionState.Completed, transaction.State);
        harness.Advance(1); // Timer K = T4.
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
        Assert.Single(harness.PeerRequests(SipMethods.Options));
        Assert.Empty(harness.TimedOut);
    }

    [Fact]
    public void NonInviteClient_ReliableTransport_NoRetransmissionsAndNoTimerK()
    {
        using var harness = new TransactionHarness(reliable: true);
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), harness.PeerEndPoint);
        harness.Advance(31_000);
        Assert.Single(harness.PeerRequests(SipMethods.Options));

        harness.PeerSend(TransactionHarness.Answer(harness.PeerRequests(SipMethods.Options)[0], 200, "OK"));
        Assert.Equal(SipTransactionState.Terminated, transaction.State);
    }

    [Fact]
    public void Layer_ResponseMatchingNoTransaction_IsDiscardedAsStray()
    {
        using var harness = new TransactionHarness();
        SipRequest unrelated = TransactionHarness.PeerRequest(SipMethods.Options, branch: "z9hG4bKnobody");

        harness.PeerSend(TransactionHarness.Answer(unrelated, 200, "OK"));

        Assert.Empty(harness.TuResponses);
        Assert.Empty(harness.UnmatchedSuccesses);
        Assert.Equal(1, harness.Layer.StrayResponseCount);
    }

    [Fact]
    public void Layer_ResponseWithRightBranchButOtherCSeqMethod_DoesNotMatchTransaction()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        SipRequest invite = harness.PeerRequests(SipMethods.Invite)[0];
        SipResponse cancelOk = TransactionHarness.Answer(SipMessageFactory.CreateCancel(invite), 200, "OK");

        harness.PeerSend(cancelOk);

        Assert.Empty(harness.TuResponses);
        Assert.Equal(SipTransactionState.Calling, transaction.State);
        Assert.Equal(1, harness.Layer.StrayResponseCount);
    }

    [Fact]
    public void SendRequest_RequestWithoutVia_GetsViaWithMagicCookieBranchAndBoundAddress()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Options), harness.PeerEndPoint);

        Headers.ViaHeader via = harness.PeerRequests(SipMethods.Options)[0].TopVia!;
        Assert.StartsWith(Headers.ViaHeader.MagicCookie, via.Branch, StringComparison.Ordinal);
        Assert.Equal(transaction.Branch, via.Branch);
        Assert.Equal("192.0.2.1", via.Host);
        Assert.Equal(5060, via.Port);
        Assert.Equal("UDP", via.Transport);
    }

    [Fact]
    public async Task Dispose_PendingClientTransaction_StopsRetransmissionsAndCancelsFinalResponse()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);

        harness.Layer.Dispose();
        harness.Advance(60_000);

        Assert.Single(harness.PeerRequests(SipMethods.Invite));
        Assert.Empty(harness.TimedOut);
        Assert.Equal(0, harness.Layer.TransactionCount);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transaction.FinalResponse);
    }
}
