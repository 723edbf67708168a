using System.Text;
using CallCenter.Sip.Reliability;
using CallCenter.Sip.Transactions;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Reliability;

/// <summary>RFC 3262 section 3, the UAS: reliable provisionals, their repeats, PRACK matching and the wait before a 2xx.</summary>
public sealed class ReliableProvisionalSenderTests
{
    private static readonly TimeSpan T1 = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _time = new();
    private readonly List<SipResponse> _sent = [];

    [Fact]
    public void Send_AddsRequireAndRSeq_AndRepeatsAtT1Doubling_UntilThePrack()
    {
        var invite = Invite();
        using var sender = Sender(invite, firstRSeq: 10);

        sender.Send(Ringing(invite));

        var ringing = Assert.Single(_sent);
        Assert.Equal("100rel", ringing.Headers.GetFirst("Require"));
        Assert.Equal("10", ringing.Headers.GetFirst("RSeq"));
        foreach (var (wait, count) in new[] { (499, 1), (1, 2), (999, 2), (1, 3), (2000, 4), (4000, 5) })
        {
            _time.Advance(TimeSpan.FromMilliseconds(wait));
            Assert.Equal(count, _sent.Count);
        }

        Assert.True(sender.OnPrack(Prack(invite, "10 314159 INVITE")));
        Assert.False(sender.HasOutstanding);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(5, _sent.Count);
    }

    [Fact]
    public void NoPrackFor64T1_UnacknowledgedIsRaisedOnce_AtThatTime_AndTheRepeatsStop()
    {
        var invite = Invite();
        using var sender = Sender(invite);
        var unacknowledged = new List<SipResponse>();
        sender.Unacknowledged += unacknowledged.Add;

        sender.Send(Ringing(invite));
        AdvanceInSteps(T1 * 64 - TimeSpan.FromMilliseconds(1));
        Assert.Empty(unacknowledged);

        // Sent at 0, then 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s (the interval doubles without a T2 cap).
        Assert.Equal(7, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Same(_sent[0], Assert.Single(unacknowledged));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Single(unacknowledged);
        Assert.Equal(7, _sent.Count);
    }

    [Theory]
    [InlineData("11 314159 INVITE")]
    [InlineData("10 314158 INVITE")]
    [InlineData("10 314159 BYE")]
    [InlineData("10 314159")]
    [InlineData("ten 314159 INVITE")]
    [InlineData("0 314159 INVITE")]
    [InlineData(null)]
    public void PrackThatMatchesNothing_IsRefused_AndTheProvisionalStillRepeats(string? rack)
    {
        var invite = Invite();
        using var sender = Sender(invite, firstRSeq: 10);
        sender.Send(Ringing(invite));

        Assert.False(sender.OnPrack(Prack(invite, rack)));
        Assert.True(sender.HasOutstanding);
        _time.Advance(T1);
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public void PrackAgainAfterItsMatch_OrWithNothingOutstanding_IsRefused()
    {
        var invite = Invite();
        using var sender = Sender(invite, firstRSeq: 7);
        Assert.False(sender.OnPrack(Prack(invite, "7 314159 INVITE")));
        sender.Send(Ringing(invite));

        Assert.True(sender.OnPrack(Prack(invite, "7 314159 INVITE")));
        Assert.False(sender.OnPrack(Prack(invite, "7 314159 INVITE")));
    }

    [Fact]
    public void SecondProvisional_WaitsForTheFirstsPrack_ThenGoesWithTheNextRSeq()
    {
        var invite = Invite();
        using var sender = Sender(invite, firstRSeq: 41);
        sender.Send(Ringing(invite));
        var progress = SipMessageFactory.CreateResponse(invite, 183, "Session Progress", "uas");

        sender.Send(progress);
        Assert.Single(_sent);

        Assert.True(sender.OnPrack(Prack(invite, "41 314159 INVITE")));
        Assert.Equal(2, _sent.Count);
        Assert.Same(progress, _sent[1]);
        Assert.Equal("42", progress.Headers.GetFirst("RSeq"));
        Assert.True(sender.OnPrack(Prack(invite, "42 314159 INVITE")));
    }

    [Fact]
    public async Task ReadyForSuccess_WaitsOnlyForAnUnacknowledgedProvisionalWithASessionDescription()
    {
        var invite = Invite();
        using var sender = Sender(invite, firstRSeq: 1);
        sender.Send(Ringing(invite));
        await sender.ReadyForSuccessAsync();

        var withSdp = SipMessageFactory.CreateResponse(invite, 183, "Session Progress", "uas");
        withSdp.Body = Encoding.UTF8.GetBytes("v=0\r\n");
        sender.Send(withSdp);
        var ready = sender.ReadyForSuccessAsync();
        Assert.True(sender.OnPrack(Prack(invite, "1 314159 INVITE")));
        Assert.False(ready.IsCompleted);

        Assert.True(sender.OnPrack(Prack(invite, "2 314159 INVITE")));
        await ready;
    }

    [Fact]
    public async Task FinalResponse_StopsTheRepeats_DropsWaitingOnes_AndReleasesTheWait()
    {
        var invite = Invite();
        using var sender = Sender(invite);
        var withSdp = SipMessageFactory.CreateResponse(invite, 183, "Session Progress", "uas");
        withSdp.Body = Encoding.UTF8.GetBytes("v=0\r\n");
        sender.Send(withSdp);
        sender.Send(Ringing(invite));
        var ready = sender.ReadyForSuccessAsync();

        sender.OnFinalResponse();

        await ready;
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Single(_sent);
        sender.Send(Ringing(invite));
        Assert.Single(_sent);
    }

    [Theory]
    [InlineData("Require: 100rel\r\n", true)]
    [InlineData("Supported: timer, 100rel\r\n", true)]
    [InlineData("Supported: timer\r\n", false)]
    [InlineData("", false)]
    public void AcceptsReliable_When100relIsRequiredOrSupported(string headers, bool expected) =>
        Assert.Equal(expected, ReliableProvisionalHeaders.AcceptsReliable((SipRequest)TestMessages.ParseInviteWith(headers)));

    [Fact]
    public void Send_A100OrAFinalResponse_IsAnError()
    {
        var invite = Invite();
        using var sender = Sender(invite);
        Assert.Throws<ArgumentException>(() => sender.Send(SipMessageFactory.CreateResponse(invite, 100, "Trying")));
        Assert.Throws<ArgumentException>(() => sender.Send(SipMessageFactory.CreateResponse(invite, 200, "OK", "uas")));
    }

    // FakeTimeProvider fires a timer once per Advance: step through, so each repeat is set from its own due time.
    private void AdvanceInSteps(TimeSpan total)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var left = total; left > TimeSpan.Zero; left -= step)
        {
            _time.Advance(left < step ? left : step);
        }
    }

    private static SipRequest Invite() => (SipRequest)TestMessages.ParseInviteWith("Supported: 100rel\r\n");

    private static SipResponse Ringing(SipRequest invite) => SipMessageFactory.CreateResponse(invite, 180, "Ringing", "uas");

    private static SipRequest Prack(SipRequest invite, string? rack) => (SipRequest)SipMessageParser.Parse(Encoding.UTF8.GetBytes(
        "PRACK sip:uas@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK-prack\r\nMax-Forwards: 70\r\n"
        + "To: Bob <sip:bob@example.com>;tag=uas\r\nFrom: Alice <sip:alice@example.com>;tag=1928301774\r\n"
        + $"Call-ID: {invite.CallId}\r\nCSeq: 314160 PRACK\r\n" + (rack is null ? "" : $"RAck: {rack}\r\n") + "Content-Length: 0\r\n\r\n"));

    private ReliableProvisionalSender Sender(SipRequest invite, uint? firstRSeq = null) => new(invite, _sent.Add, _time, T1, firstRSeq);
}
