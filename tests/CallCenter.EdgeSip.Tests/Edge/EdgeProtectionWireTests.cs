using System.Globalization;
using System.Net;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// The edge's protections seen on the wire: a raw UDP peer on another loopback address floods, calls from outside the
/// trunks and sends malformed messages; SIPp peers on the trunk address (127.0.0.1) are served all along.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class EdgeProtectionWireTests(EdgeFixture fixture)
{
    private const string SdpOffer = "v=0\r\no=raw 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    private IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    [Fact]
    public async Task RegisterFlood_From127002_Gets503AfterTheBurst_WhilePhonesOnTheTrunkAddressRegisterAndTakeCalls()
    {
        var burst = (int)fixture.Options.RegisterBurst;
        var extra = 20;
        var rejectedBefore = fixture.Edge.RateLimiter.Rejected;
        using var flooder = new RawSipPeer(IPAddress.Parse("127.0.0.2"), Edge);

        // All at once, faster than the bucket refills (RegistersPerSecond): each its own Call-ID, so each is a new
        // REGISTER for the edge, answered in order of arrival (a challenge takes a moment longer than a 503).
        var callIds = Enumerable.Range(0, burst + extra).Select(i => $"flood-{i}-{Guid.NewGuid():N}").ToList();
        foreach (var callId in callIds)
        {
            await flooder.SendAsync(flooder.Request("REGISTER", "flood", callId, fromUser: "flood", extraHeaders: ["Expires: 300"]));
        }

        var answers = new Dictionary<string, RawSipResponse>();
        while (answers.Count < callIds.Count)
        {
            var response = await flooder.ReceiveAsync();
            answers[response.CallId!] = response;
        }

        var statuses = callIds.Select(callId => answers[callId].StatusCode).ToList();
        // Within the burst each REGISTER reaches the registrar, which challenges it (no credentials yet).
        Assert.All(statuses.Take(burst), status => Assert.Equal(401, status));
        var refused = callIds.Skip(burst).Select(callId => answers[callId]).Where(response => response.StatusCode == 503).ToList();

        // The bucket refills a little while the flood arrives: most, not necessarily all, of the rest are refused.
        Assert.True(refused.Count >= extra / 2, "503s after the burst: " + string.Join(' ', statuses));
        Assert.All(refused, response => Assert.True(int.Parse(response.Header("Retry-After")!, CultureInfo.InvariantCulture) >= 1, response.Text));
        Assert.True(fixture.Edge.RateLimiter.Rejected - rejectedBefore >= refused.Count);

        // Meanwhile a phone on the trunk address registers (digest, inside the session) and answers a caller.
        await CallerOnTheTrunkIsAnsweredByAsync("ned");
    }

    [Fact]
    public async Task InviteFrom127003_NotATrunk_Gets403_AndNoCallArrives()
    {
        using var stranger = new RawSipPeer(IPAddress.Parse("127.0.0.3"), Edge);
        var callerNumber = EdgeSession.NewCallerNumber();
        var callId = "stranger-" + Guid.NewGuid().ToString("N");

        var invite = stranger.Request("INVITE", "7001", callId, fromUser: callerNumber, extraHeaders: ["Content-Type: application/sdp"], body: SdpOffer);
        await stranger.SendAsync(invite);
        var (before, answer) = await stranger.ReceiveUntilAsync(callId);

        Assert.Empty(before);
        Assert.Equal(403, answer.StatusCode);
        Assert.NotNull(answer.Parse().To?.Tag);

        // The ACK for the 403 (same branch) ends the edge's transaction; the edge answers nothing to it.
        var via = invite.Split("\r\n").Single(line => line.StartsWith("Via:", StringComparison.Ordinal));
        await stranger.SendAsync(string.Join("\r\n",
            $"ACK sip:7001@127.0.0.1:{fixture.Edge.Port} SIP/2.0",
            via,
            answer.HeaderLines("From").Single(),
            answer.HeaderLines("To").Single(),
            $"Call-ID: {callId}",
            "CSeq: 1 ACK",
            "Max-Forwards: 70",
            "Content-Length: 0",
            string.Empty,
            string.Empty));

        // No call reached the grains: the caller has no contact history.
        var customer = fixture.Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(TenantDefinition.DefaultTenantId, callerNumber));
        Assert.Empty((await customer.GetProfileAsync()).History);

        // The same stranger may still ask what the edge supports (OPTIONS is not a call). Only a repeat of the 403,
        // sent before the ACK arrived, may come first.
        var probeCallId = NewCallId("probe");
        await stranger.SendAsync(stranger.Request("OPTIONS", "edge", probeCallId));
        var (repeats, probe) = await stranger.ReceiveUntilAsync(probeCallId);
        Assert.All(repeats, repeat => Assert.True(repeat.StatusCode == 403 && repeat.CallId == callId, repeat.Text));
        Assert.Equal(200, probe.StatusCode);
    }

    [Fact]
    public async Task MalformedRequests_Get400Or505OrAreDropped_AndTheNextCallerIsServed()
    {
        using var peer = new RawSipPeer(IPAddress.Parse("127.0.0.4"), Edge);

        // Garbage: not SIP at all, nobody to answer. The probe's answer comes first.
        await peer.SendAsync([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x01, 0x02, 0x80, 0x90, 0xa0, 0xfe]);
        await ProbeAsync(peer);

        // A request line and headers without a Via: there is no address to answer to, so it is dropped.
        var noVia = WithoutLine(peer.Request("OPTIONS", "7001", NewCallId("no-via")), "Via:");
        await peer.SendAsync(noVia);
        await ProbeAsync(peer);

        // A CSeq whose number is not a number: 400, with the headers it had copied back.
        var badCSeqCallId = NewCallId("bad-cseq");
        await peer.SendAsync(peer.Request("OPTIONS", "7001", badCSeqCallId).Replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS", StringComparison.Ordinal));
        var badCSeq = await peer.ReceiveAsync();
        Assert.Equal(400, badCSeq.StatusCode);
        Assert.Equal(badCSeqCallId, badCSeq.CallId);
        Assert.Equal("one OPTIONS", badCSeq.Header("CSeq"));

        // A header a transaction needs (Call-ID) missing: 400 as well.
        var withoutCallId = NewCallId("no-call-id");
        await peer.SendAsync(WithoutLine(peer.Request("OPTIONS", "7001", withoutCallId), "Call-ID:"));
        var noCallId = await peer.ReceiveAsync();
        Assert.Equal(400, noCallId.StatusCode);

        // SIP/3.0: 505 Version Not Supported.
        var futureCallId = NewCallId("sip-3");
        await peer.SendAsync(peer.Request("OPTIONS", "7001", futureCallId).Replace(" SIP/2.0\r\n", " SIP/3.0\r\n", StringComparison.Ordinal));
        var future = await peer.ReceiveAsync();
        Assert.Equal(505, future.StatusCode);
        Assert.Equal(futureCallId, future.CallId);

        // The edge carries on: a caller on the trunk address is answered by an agent as usual.
        await CallerOnTheTrunkIsAnsweredByAsync("oli");
    }

    [Fact]
    public async Task Options_IsAnswered200_WithOneAllowLineListingTheMethods()
    {
        using var peer = new RawSipPeer(IPAddress.Parse("127.0.0.4"), Edge);

        var answer = await ProbeAsync(peer);

        Assert.Equal(200, answer.StatusCode);
        var allow = Assert.Single(answer.HeaderLines("Allow"));
        var methods = allow["Allow:".Length..].Split(',', StringSplitOptions.TrimEntries);
        Assert.Superset(new HashSet<string>(["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "REFER"]), new HashSet<string>(methods));
    }

    private static string NewCallId(string what) => what + "-" + Guid.NewGuid().ToString("N");

    private static string WithoutLine(string message, string prefix) =>
        string.Join("\r\n", message.Split("\r\n").Where(line => !line.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary>
    /// An OPTIONS from the peer, answered 200. Sent after a message the edge should drop, it proves the drop: UDP
    /// from one socket is read in order and an answer to the earlier message would have come first.
    /// </summary>
    private static async Task<RawSipResponse> ProbeAsync(RawSipPeer peer)
    {
        var callId = NewCallId("probe");
        await peer.SendAsync(peer.Request("OPTIONS", "edge", callId));
        var (before, answer) = await peer.ReceiveUntilAsync(callId);
        Assert.True(before.Count == 0, "nothing before the probe's answer: " + string.Join("\n---\n", before.Select(response => response.Text)));
        Assert.Equal(200, answer.StatusCode);
        return answer;
    }

    /// <summary>A phone on the trunk address registers (digest) for <paramref name="agentId"/> and answers a normal caller.</summary>
    private async Task CallerOnTheTrunkIsAnsweredByAsync(string agentId)
    {
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync(agentId, byeAfterMs: 1000);
        var caller = EdgeSession.NewCallerNumber();
        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7001", caller);
        Assert.True(call.Succeeded, call.Describe());
        Assert.True((await phone.WaitForExitAsync()).Succeeded);
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);
        Assert.Equal(agentId, ended.Timeline.Single(e => e.Kind == CallEventKind.Accepted).AgentId);
    }
}
