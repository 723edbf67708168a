using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Headers;
using CallCenter.Sip.Tests.Transactions;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;

namespace CallCenter.Sip.Tests.Dialogs;

public sealed class SipDialogTests
{
    [Fact]
    public void CreateAsUac_2xxWithRecordRoute_ReversesRouteSetAndTakesContactAsTarget()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");

        SipDialog dialog = SipDialog.CreateAsUac(invite, ok);

        Assert.Equal(new SipDialogId("call-1@192.0.2.2", "alicetag", "bobtag"), dialog.Id);
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.True(dialog.IsUac);
        Assert.Equal(["sip:p2.example.com;lr", "sip:p1.example.com;lr"], dialog.RouteSet.Select(route => route.Uri.ToString()));
        Assert.Equal("sip:bob@192.0.2.1:5070", dialog.RemoteTarget.ToString());
        Assert.Equal(1u, dialog.LocalSequence);
        Assert.Null(dialog.RemoteSequence);
        Assert.Equal(dialog.Id, SipDialogId.FromIncomingResponse(ok));
    }

    [Fact]
    public void CreateAsUas_InviteWithRecordRoute_KeepsRouteOrderAndTakesRequestContact()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
        invite.Headers.Add(SipHeaderNames.RecordRoute, "<sip:p1.example.com;lr>");
        invite.Headers.Add(SipHeaderNames.RecordRoute, "<sip:p2.example.com;lr>");

        SipDialog dialog = SipDialog.CreateAsUas(invite, ok);

        Assert.Equal(new SipDialogId("call-1@192.0.2.2", "bobtag", "alicetag"), dialog.Id);
        Assert.False(dialog.IsUac);
        Assert.Equal(["sip:p1.example.com;lr", "sip:p2.example.com;lr"], dialog.RouteSet.Select(route => route.Uri.ToString()));
        Assert.Equal("sip:alice@192.0.2.2:5060", dialog.RemoteTarget.ToString());
        Assert.Null(dialog.LocalSequence);
        Assert.Equal(1u, dialog.RemoteSequence);
        Assert.Equal(dialog.Id, SipDialogId.FromIncomingRequest(WithToTag(invite, "bobtag")));
    }

    [Fact]
    public void CreateAsUac_ProvisionalWithTag_CreatesEarlyDialogConfirmedBy2xx()
    {
        (SipRequest invite, SipResponse ringing) = InviteAndAnswer(180, "<sip:p1.example.com;lr>");
        SipDialog dialog = SipDialog.CreateAsUac(invite, ringing);
        Assert.Equal(SipDialogState.Early, dialog.State);

        (_, SipResponse ok) = InviteAndAnswer(200, "<sip:p9.example.com;lr>");
        dialog.OnInviteResponse(ok);

        Assert.Equal(SipDialogState.Confirmed, dialog.State);
        Assert.Equal("sip:p9.example.com;lr", Assert.Single(dialog.RouteSet).Uri.ToString());
    }

    [Fact]
    public void CreateAsUac_ProvisionalWithoutTag_Throws()
    {
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        SipResponse trying = SipMessageFactory.CreateResponse(invite, 180, "Ringing");

        Assert.Throws<ArgumentException>(() => SipDialog.CreateAsUac(invite, trying));
    }

    [Fact]
    public void CreateBye_LooseRoute_UsesRemoteTargetRouteSetAndNextCSeq()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
        SipDialog dialog = SipDialog.CreateAsUac(invite, ok);

        SipRequest bye = dialog.CreateBye();

        Assert.Equal(SipMethods.Bye, bye.Method);
        Assert.Equal("sip:bob@192.0.2.1:5070", bye.RequestUri.ToString());
        Assert.Equal(["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"], bye.Headers.GetAll(SipHeaderNames.Route));
        Assert.Equal(new CSeqHeader(2, SipMethods.Bye), bye.CSeq);
        Assert.Equal("alicetag", bye.From!.Tag);
        Assert.Equal("bobtag", bye.To!.Tag);
        Assert.Equal("call-1@192.0.2.2", bye.CallId);
        Assert.Equal(70, bye.MaxForwards);
        Assert.Equal(SipDialogState.Terminated, dialog.State);
        Assert.True(SipMessageParser.TryParse(bye.ToBytes(), out _));
    }

    [Fact]
    public void CreateRequest_StrictRoute_PutsFirstRouteInRequestUriAndTargetLast()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, "<sip:strict.example.com>");
        SipDialog dialog = SipDialog.CreateAsUac(invite, ok);

        SipRequest info = dialog.CreateInfo("x"u8.ToArray(), "application/dtmf-relay");

        Assert.Equal("sip:strict.example.com", info.RequestUri.ToString());
        Assert.Equal("<sip:bob@192.0.2.1:5070>", Assert.Single(info.Headers.GetAll(SipHeaderNames.Route)));
        Assert.Equal("application/dtmf-relay", info.ContentType!.MimeType);
    }

    [Fact]
    public void CreateReInviteAndRefer_IncrementLocalCSeqAndAck2xxReusesReInviteNumber()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, null);
        SipDialog dialog = SipDialog.CreateAsUac(invite, ok);

        SipRequest reInvite = dialog.CreateReInvite("v=0\r\n"u8.ToArray());
        SipRequest refer = dialog.CreateRefer(SipUri.Parse("sip:carol@example.com"));
        SipRequest ack = dialog.CreateAck();

        Assert.Equal(new CSeqHeader(2, SipMethods.Invite), reInvite.CSeq);
        Assert.Equal("application/sdp", reInvite.ContentType!.MimeType);
        Assert.Equal("<sip:alice@192.0.2.2:5060>", reInvite.Headers.GetFirst(SipHeaderNames.Contact));
        Assert.Equal(new CSeqHeader(3, SipMethods.Refer), refer.CSeq);
        Assert.Equal("<sip:carol@example.com>", refer.Headers.GetFirst(SipHeaderNames.ReferTo));
        Assert.Equal(new CSeqHeader(2, SipMethods.Ack), ack.CSeq);
        Assert.Equal(3u, dialog.LocalSequence);
    }

    [Fact]
    public async Task CreateAck_For2xx_IsSentOutsideTransactionsWithNewBranch()
    {
        using var harness = new TransactionHarness();
        SipClientTransaction transaction = harness.Layer.SendRequest(TransactionHarness.NewRequest(SipMethods.Invite), harness.PeerEndPoint);
        SipRequest sentInvite = harness.PeerRequests(SipMethods.Invite)[0];
        SipResponse ok = TransactionHarness.Answer(sentInvite, 200, "OK");
        ok.Headers.Add(SipHeaderNames.Contact, "<sip:bob@192.0.2.1:5070>");
        harness.PeerSend(ok);
        SipDialog dialog = SipDialog.CreateAsUac(transaction.Request, transaction.LastResponse!);

        await harness.Layer.SendStateless(dialog.CreateAck(), harness.PeerEndPoint);

        SipRequest ack = Assert.Single(harness.PeerRequests(SipMethods.Ack));
        Assert.NotEqual(sentInvite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.StartsWith(ViaHeader.MagicCookie, ack.TopVia.Branch, StringComparison.Ordinal);
        Assert.Equal(new CSeqHeader(1, SipMethods.Ack), ack.CSeq);
        Assert.Equal("sip:bob@192.0.2.1:5070", ack.RequestUri.ToString());
        Assert.Equal("bobtag", ack.To!.Tag);
        Assert.Equal(0, harness.Layer.TransactionCount);
    }

    [Fact]
    public void TryAcceptRequest_LowerCSeq_IsRejectedAndReInviteRefreshesTarget()
    {
        (SipRequest invite, SipResponse ok) = InviteAndAnswer(200, null);
        SipDialog dialog = SipDialog.CreateAsUas(invite, ok);

        SipRequest stale = TransactionHarness.PeerRequest(SipMethods.Info, cseq: 1);
        SipRequest reInvite = TransactionHarness.PeerRequest(SipMethods.Invite, cseq: 5);
        reInvite.Headers.Set(SipHeaderNames.Contact, "<sip:alice@198.51.100.7>");

        Assert.False(dialog.TryAcceptRequest(stale));
        Assert.True(dialog.TryAcceptRequest(reInvite));
        Assert.Equal(5u, dialog.RemoteSequence);
        Assert.Equal("sip:alice@198.51.100.7", dialog.RemoteTarget.ToString());
    }

    private static (SipRequest Invite, SipResponse Response) InviteAndAnswer(int statusCode, string? recordRoute)
    {
        SipRequest invite = TransactionHarness.PeerRequest(SipMethods.Invite);
        SipResponse response = SipMessageFactory.CreateResponse(invite, statusCode, "Answer", "bobtag");
        if (recordRoute is not null)
        {
            foreach (string route in recordRoute.Split(", "))
            {
                response.Headers.Add(SipHeaderNames.RecordRoute, route);
            }
        }

        response.Headers.Add(SipHeaderNames.Contact, "<sip:bob@192.0.2.1:5070>");
        return (invite, response);
    }

    private static SipRequest WithToTag(SipRequest request, string tag)
    {
        NameAddress to = request.To!;
        to.Parameters.Set("tag", tag);
        request.Headers.Set(SipHeaderNames.To, to.ToString());
        return request;
    }
}
