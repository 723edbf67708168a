using CallCenter.Sip.Dialogs;
using CallCenter.Sip.Reliability;
using CallCenter.Sip.Transactions;

namespace CallCenter.Sip.Tests.Reliability;

/// <summary>RFC 3262 section 4, the UAC: which provisionals are processed and PRACKed, and the PRACK itself.</summary>
public sealed class ReliableProvisionalReceiverTests
{
    [Fact]
    public void Provisional_WithoutRequire100rel_OrA100_IsUnreliable()
    {
        var receiver = new ReliableProvisionalReceiver();
        var invite = Invite();
        var plain = Provisional(invite, 180, "uas", rseq: "5", require: false);
        var trying = Provisional(invite, 100, null, rseq: "5", require: true);
        var noRSeq = Provisional(invite, 180, "uas", rseq: null, require: true);

        Assert.Equal(ProvisionalHandling.Unreliable, receiver.Receive(plain, out _));
        Assert.Equal(ProvisionalHandling.Unreliable, receiver.Receive(trying, out _));
        Assert.Equal(ProvisionalHandling.Unreliable, receiver.Receive(noRSeq, out _));
    }

    [Fact]
    public void ReliableProvisionals_TheFirstAndEachOneHigherAreTaken_RepeatsAndGapsAreIgnored()
    {
        var receiver = new ReliableProvisionalReceiver();
        var invite = Invite();

        Assert.Equal(ProvisionalHandling.ProcessAndPrack, receiver.Receive(Provisional(invite, 180, "uas", "900"), out var first));
        Assert.Equal(900u, first);
        Assert.Equal(ProvisionalHandling.Ignore, receiver.Receive(Provisional(invite, 180, "uas", "900"), out _));
        Assert.Equal(ProvisionalHandling.Ignore, receiver.Receive(Provisional(invite, 183, "uas", "902"), out _));
        Assert.Equal(ProvisionalHandling.Ignore, receiver.Receive(Provisional(invite, 183, "uas", "899"), out _));
        Assert.Equal(ProvisionalHandling.ProcessAndPrack, receiver.Receive(Provisional(invite, 183, "uas", "901"), out var second));
        Assert.Equal(901u, second);

        // Another early dialog (a fork) counts on its own.
        Assert.Equal(ProvisionalHandling.ProcessAndPrack, receiver.Receive(Provisional(invite, 180, "fork", "17"), out _));
    }

    [Fact]
    public void CreatePrack_InTheEarlyDialog_WithRAckNamingTheProvisionalAndTheInvite()
    {
        var invite = Invite();
        var ringing = Provisional(invite, 180, "uas", "77");
        var early = SipDialog.CreateAsUac(invite, ringing);

        var prack = ReliableProvisionalReceiver.CreatePrack(early, 77, invite);

        Assert.Equal(SipMethods.Prack, prack.Method);
        Assert.Equal("77 314159 INVITE", prack.Headers.GetFirst("RAck"));
        Assert.Equal(314160u, prack.CSeq!.Number);
        Assert.Equal("uas", prack.To!.Tag);
        Assert.Equal(invite.CallId, prack.CallId);

        // The dialog the 2xx confirms goes on counting from the PRACK (a later BYE gets a higher CSeq).
        early.OnInviteResponse(SipMessageFactory.CreateResponse(invite, 200, "OK", "uas"));
        Assert.Equal(314161u, early.CreateBye().CSeq!.Number);
    }

    private static SipRequest Invite() => (SipRequest)TestMessages.ParseInviteWith("Contact: <sip:alice@pc33.example.com>\r\nSupported: 100rel\r\n");

    private static SipResponse Provisional(SipRequest invite, int status, string? toTag, string? rseq, bool require = true)
    {
        var response = SipMessageFactory.CreateResponse(invite, status, "Provisional", toTag);
        response.Headers.Add(SipHeaderNames.Contact, "<sip:bob@192.0.2.4>");
        if (require)
        {
            response.Headers.Add(SipHeaderNames.Require, "100rel");
        }

        if (rseq is not null)
        {
            response.Headers.Add("RSeq", rseq);
        }

        return response;
    }
}
