using System.Net;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Model;
using CallCenter.Sip;
using CallCenter.Sip.Sdp;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// RFC 3261 and 3311 rules the edge follows for every request, seen on the wire: To tags on responses to requests
/// without one (8.2.6.2), Allow on 405 (8.2.1), 420 with Unsupported for a Require the edge cannot meet (8.2.2.3),
/// UPDATE inside a dialog.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class SipConformanceWireTests(EdgeFixture fixture)
{
    private const string SdpOffer = "v=0\r\no=raw 1 1 IN IP4 127.0.0.4\r\ns=-\r\nc=IN IP4 127.0.0.4\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    private IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    public static TheoryData<string, string[], string, int> OutOfDialogRequests() => new()
    {
        { "OPTIONS", [], "", 200 },
        { "UPDATE", [], "", 405 },
        { "MESSAGE", [], "", 405 },
        { "SUBSCRIBE", [], "", 405 },
        { "BYE", [], "", 481 },
        { "PRACK", ["RAck: 1 1 INVITE"], "", 481 },
        { "INVITE", ["Content-Type: application/sdp"], SdpOffer, 403 },
        { "INVITE", ["Require: 100rel, timer", "Content-Type: application/sdp"], SdpOffer, 420 },
        { "OPTIONS", ["Require: 100rel, timer"], "", 420 },
        { "MESSAGE", ["Require: foo"], "", 420 },
    };

    [Theory]
    [MemberData(nameof(OutOfDialogRequests))]
    public async Task OutOfDialogRequest_EveryFinalResponseCarriesAToTag_TheSameOnARetransmission(string method, string[] headers, string body, int expected)
    {
        // 127.0.0.4 is no trunk: its INVITE is refused (403) unless a Require is refused first (420).
        using var peer = new RawSipPeer(IPAddress.Parse("127.0.0.4"), Edge);
        var callId = "conformance-" + Guid.NewGuid().ToString("N");
        var request = peer.Request(method, "7001", callId, extraHeaders: headers, body: body);

        await peer.SendAsync(request);
        var first = await FinalAsync(peer, callId);
        await peer.SendAsync(request);
        var second = await FinalAsync(peer, callId);

        Assert.Equal(expected, first.StatusCode);
        var tag = first.Parse().To?.Tag;
        Assert.False(string.IsNullOrEmpty(tag), first.Text);
        Assert.Equal(tag, second.Parse().To?.Tag);
        if (expected == 405 || (expected == 200 && method == "OPTIONS"))
        {
            Assert.Contains("UPDATE", first.Header("Allow") ?? "", StringComparison.Ordinal);
            Assert.Contains(method == "OPTIONS" ? "OPTIONS" : "INVITE", first.Header("Allow") ?? "", StringComparison.Ordinal);
            Assert.Contains("PRACK", first.Header("Allow") ?? "", StringComparison.Ordinal);
        }

        if (expected == 200 && method == "OPTIONS")
        {
            Assert.Equal("100rel", first.Header("Supported"));
        }

        if (expected == 420)
        {
            // 100rel is supported (RFC 3262): only the other tags are unsupported.
            var required = headers.Single(h => h.StartsWith("Require:", StringComparison.Ordinal))["Require:".Length..].Split(',', StringSplitOptions.TrimEntries);
            Assert.Equal(required.Where(tag => tag != "100rel"), first.Header("Unsupported")!.Split(',', StringSplitOptions.TrimEntries));
        }
    }

    [Fact]
    public async Task InDialog_UnknownMethod405CarriesAllow_RequireGets420_UpdateRenegotiates()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        var ok = await caller.InviteAsync(caller.Sdp());
        Assert.Equal(200, ok.StatusCode);
        await caller.AckAsync();

        var message = await caller.RequestAsync("MESSAGE", null);
        Assert.Equal(405, message.StatusCode);
        var allow = string.Join(", ", message.Headers.GetAll("Allow"));
        Assert.Contains("UPDATE", allow, StringComparison.Ordinal);
        Assert.DoesNotContain("REFER", allow, StringComparison.Ordinal);

        var required = await caller.RequestAsync(SipMethods.Invite, caller.Sdp(), "Require: 100rel, timer");
        Assert.Equal(420, required.StatusCode);
        Assert.Equal("timer", required.Headers.GetFirst("Unsupported"));

        // UPDATE with an offer: the answer in its 200, applied (sendonly from the caller: we only receive).
        var update = await caller.RequestAsync(SipMethods.Update, caller.Sdp("sendonly"));
        Assert.Equal(200, update.StatusCode);
        var updated = RawCallerDialog.SdpOf(update);
        Assert.Equal(SdpDirection.RecvOnly, updated.GetEffectiveDirection(updated.Media[0]));
        Assert.True(fixture.Edge.FindCall(caller.CallId)!.CallerMedia!.Muted);

        // UPDATE without an offer (a session refresh): 200 without a body, nothing changed.
        var refresh = await caller.RequestAsync(SipMethods.Update, null);
        Assert.Equal(200, refresh.StatusCode);
        Assert.Empty(refresh.Body);
        Assert.True(fixture.Edge.FindCall(caller.CallId)!.CallerMedia!.Muted);

        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
        Assert.Equal(CallOutcome.Abandoned, (await fixture.EndedCallOfAsync(caller.CallerNumber)).Outcome);
    }

    [Fact]
    public async Task InDialog_ARequestWithAnOldCSeq_Gets500_AndChangesNothing()
    {
        await using var caller = new RawCallerDialog(IPAddress.Loopback, Edge, EdgeSession.NewCallerNumber(), "7001");
        Assert.Equal(200, (await caller.InviteAsync(caller.Sdp())).StatusCode);
        await caller.AckAsync();
        Assert.Equal(200, (await caller.RequestAsync(SipMethods.Update, null)).StatusCode);

        // RFC 3261 12.2.2: CSeq 1 (the INVITE's) and 2 (the UPDATE's) are behind the dialog: 500, and neither the hold
        // nor the hang-up they carry is applied.
        Assert.Equal(500, (await caller.RequestWithCSeqAsync(SipMethods.Update, 2, caller.Sdp("sendonly"))).StatusCode);
        Assert.Equal(500, (await caller.RequestWithCSeqAsync(SipMethods.Bye, 1)).StatusCode);
        Assert.False(fixture.Edge.FindCall(caller.CallId)!.CallerMedia!.Muted);

        Assert.Equal(200, (await caller.ByeAsync()).StatusCode);
        Assert.Equal(CallOutcome.Abandoned, (await fixture.EndedCallOfAsync(caller.CallerNumber)).Outcome);
    }

    private static async Task<RawSipResponse> FinalAsync(RawSipPeer peer, string callId)
    {
        while (true)
        {
            var (_, answer) = await peer.ReceiveUntilAsync(callId);
            if (answer.StatusCode >= 200)
            {
                return answer;
            }
        }
    }
}
