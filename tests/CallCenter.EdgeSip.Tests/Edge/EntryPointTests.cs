using System.Diagnostics;
using System.Net;
using CallCenter.EdgeSip.Calls;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>
/// The dialled number's entry point decides a SIP call's tenant, its IVR flow and its queue, as the contact-center
/// configuration says at the time of the INVITE; a number that is no entry point is refused before any answer.
/// </summary>
[Collection(EdgeCollection.Name)]
public sealed class EntryPointTests(EdgeFixture fixture)
{
    private const string SdpOffer = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    private IPEndPoint Edge => new(IPAddress.Loopback, fixture.Edge.Port);

    [Fact]
    public async Task EachTenantsNumber_LandsInThatTenantsQueue_AndOnlyThatTenantsAgentTakesIt()
    {
        await using var session = new EdgeSession(fixture);

        // The other tenant's agent is ready first (the longest idle): a call leaking across tenants would go to it.
        // Callers hang up while talking (no survey to wait through); the phones get the edge's BYE.
        await using var globexPhone = await session.StartAgentPhoneAsync(EdgeFixture.TenantBAgent);
        await using var acmePhone = await session.StartAgentPhoneAsync(EdgeFixture.TenantAAgent);
        var talk = new Dictionary<string, string> { ["hold_ms"] = "3000" };
        var acmeCaller = EdgeSession.NewCallerNumber();

        var acmeCall = await session.CallAsync(SippScenarios.CallerHangsUp, "7201", acmeCaller, talk);

        Assert.True(acmeCall.Succeeded, acmeCall.Describe());
        Assert.True((await acmePhone.WaitForExitAsync()).Succeeded);
        var acme = await fixture.EndedCallOfAsync(acmeCaller, EdgeFixture.TenantA);
        Assert.Equal(EdgeFixture.TenantA, acme.Arrival!.TenantId);
        Assert.Equal("acme-line", acme.QueueId);
        Assert.Equal(CallOutcome.Answered, acme.Outcome);
        Assert.All(acme.Timeline.Where(e => e.AgentId is not null), e => Assert.Equal(EdgeFixture.TenantAAgent, e.AgentId));

        var globexCaller = EdgeSession.NewCallerNumber();
        var globexCall = await session.CallAsync(SippScenarios.CallerHangsUp, "7202", globexCaller, talk);

        Assert.True(globexCall.Succeeded, globexCall.Describe());
        Assert.True((await globexPhone.WaitForExitAsync()).Succeeded);
        var globex = await fixture.EndedCallOfAsync(globexCaller, EdgeFixture.TenantB);
        Assert.Equal(EdgeFixture.TenantB, globex.Arrival!.TenantId);
        Assert.Equal("globex-line", globex.QueueId);
        Assert.Equal(CallOutcome.Answered, globex.Outcome);
        Assert.All(globex.Timeline.Where(e => e.AgentId is not null), e => Assert.Equal(EdgeFixture.TenantBAgent, e.AgentId));

        // Neither caller is a customer of another tenant, and neither queue saw the other's call.
        Assert.Empty((await CustomerAsync(acmeCaller, EdgeFixture.TenantB)).History);
        Assert.Empty((await CustomerAsync(acmeCaller, TenantDefinition.DefaultTenantId)).History);
        Assert.Empty((await CustomerAsync(globexCaller, EdgeFixture.TenantA)).History);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IQueueGrain>("acme-line").GetStatusAsync()).Totals.Answered);
        Assert.Equal(1, (await fixture.Grains.GetGrain<IQueueGrain>("globex-line").GetStatusAsync()).Totals.Answered);
    }

    [Theory]
    [InlineData("7999")]
    [InlineData("sales")]
    [InlineData("acme-line")]
    public async Task InviteToANumberWithNoEntryPoint_Is404BeforeAnyAnswer_AndNoCallExists(string number)
    {
        using var trunk = new RawSipPeer(IPAddress.Parse(EdgeFixture.TrunkAddress), Edge);
        var caller = EdgeSession.NewCallerNumber();
        var callId = "unknown-number-" + Guid.NewGuid().ToString("N");
        var callsBefore = fixture.Edge.ActiveCalls;

        var answer = await InviteAsync(trunk, number, caller, callId);

        Assert.Equal(404, answer.StatusCode);
        Assert.NotNull(answer.Parse().To?.Tag);
        Assert.Empty((await CustomerAsync(caller, TenantDefinition.DefaultTenantId)).History);
        Assert.True(fixture.Edge.ActiveCalls <= callsBefore, "no edge call for the refused INVITE");
    }

    [Fact]
    public async Task NumberAddedAtRunTime_IsAnsweredAtOnce_AndARemovedOne_IsRefusedOnceTheEdgeHasTheChange()
    {
        var configuration = fixture.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        var baseline = EdgeFixture.Configuration(TimeProvider.System.GetUtcNow());
        try
        {
            // A new number whose flow is closed (holidays all around): the edge must find both the number and its flow.
            var added = await configuration.ApplyAsync(baseline with
            {
                IvrFlows = [.. baseline.IvrFlows, baseline.IvrFlows.Single(f => f.Id == "edge-closed") with { Id = "run-time-closed" }],
                EntryPoints = [.. baseline.EntryPoints, new EntryPoint { DialledNumber = "7500", QueueId = "edge-closed-line", IvrFlowId = "run-time-closed" }],
            });
            Assert.True(added.Applied, string.Join("; ", added.Errors));

            // No wait for the edge's periodic refresh: an unknown number makes it look again at once.
            await using var session = new EdgeSession(fixture);
            var caller = EdgeSession.NewCallerNumber();
            var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7500", caller);

            Assert.True(call.Succeeded, call.Describe());
            var ended = await fixture.EndedCallOfAsync(caller);
            Assert.Equal("closed", ended.OutcomeDetail);
            Assert.Equal("7500", ended.Arrival!.DialledNumber);

            var removed = await configuration.ApplyAsync(baseline);
            Assert.True(removed.Applied);
            await Eventually.HoldsAsync(() => Task.FromResult(fixture.Edge.ConfigurationVersion >= removed.Version), "the edge reading the configuration without 7500");
            using var trunk = new RawSipPeer(IPAddress.Parse(EdgeFixture.TrunkAddress), Edge);
            var refused = await InviteAsync(trunk, "7500", EdgeSession.NewCallerNumber(), "removed-" + Guid.NewGuid().ToString("N"));
            Assert.Equal(404, refused.StatusCode);
        }
        finally
        {
            await configuration.ApplyAsync(baseline);
        }
    }

    [Fact]
    public async Task ClosedFlow_PlaysTheClosedPrompt_AndHangsUp_WithoutQueueing()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7300", caller);

        Assert.True(call.Succeeded, "the edge answers, plays the closed prompt and sends BYE: " + call.Describe());
        var ended = await fixture.EndedCallOfAsync(caller);
        Assert.Equal("closed", ended.OutcomeDetail);
        Assert.DoesNotContain(ended.Timeline, e => e.Kind == CallEventKind.Queued);
        Assert.Contains(EdgeFixture.ClosedPrompt, await PromptsPlayedAsync(ended.CallId));
    }

    [Fact]
    public async Task ClosedFlowWithCallback_KeepsACallbackInTheEntryPointsQueue_AndReleasesTheCaller()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7301", caller);

        Assert.True(call.Succeeded, call.Describe());
        var ended = await fixture.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.CallbackScheduled, ended.Outcome);
        Assert.Equal("edge-closed-line", ended.QueueId);
        var callback = await fixture.Grains.GetGrain<ICallGrain>(ended.OutcomeDetail!).GetAsync();
        Assert.Equal(CallState.Queued, callback.State);
        Assert.Equal(["edge-closed", "callback-confirmed"], await PromptsPlayedAsync(ended.CallId));
    }

    [Fact]
    public async Task ClosedFlowWithVoicemail_RecordsTheCallersMessage_AndAttachesItToTheCall()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        // The caller's 1000 Hz tone is its message; it talks until the edge ends the recording at the flow's limit and
        // hangs up, so the recording holds that whole limit of tone however slowly the closed prompt played.
        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7302", caller);

        Assert.True(call.Succeeded, call.Describe());
        var ended = await fixture.EndedCallOfAsync(caller);
        Assert.Equal(VoicemailRecording.EndedReason, ended.OutcomeDetail);
        var path = Path.Combine(fixture.RecordingDirectory, ended.AttachedData[VoicemailRecording.AttachedDataKey]);
        await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(path)), "the voicemail file");
        var (left, _) = StereoWav.Read(path);
        Assert.True(ToneCheck.Duration(left, 1000) > TimeSpan.FromSeconds(0.5), "the caller's tone in the voicemail");
    }

    [Fact]
    public async Task QueueOverflow_PlaysTheQueuesConfiguredAnnouncement_NotAllBusy()
    {
        await using var session = new EdgeSession(fixture);
        var caller = EdgeSession.NewCallerNumber();

        // Nobody serves edge-overflow: after a second the queue overflows the call with its announcement.
        var call = await session.CallAsync(SippScenarios.CallerWaitsForBye, "7400", caller);

        Assert.True(call.Succeeded, call.Describe());
        var ended = await fixture.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Overflowed, ended.Outcome);
        var played = await PromptsPlayedAsync(ended.CallId);
        Assert.Contains(EdgeFixture.OverflowAnnouncement, played);
        Assert.DoesNotContain(QueueAnnouncements.AllBusyPrompt, played);
    }

    private Task<CustomerProfile> CustomerAsync(string caller, string tenantId) =>
        fixture.Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(tenantId, caller)).GetProfileAsync();

    /// <summary>An INVITE with SDP from <paramref name="peer"/>; returns the final response (only 100 Trying may come before it), ACKed.</summary>
    private async Task<RawSipResponse> InviteAsync(RawSipPeer peer, string number, string caller, string callId)
    {
        var invite = peer.Request("INVITE", number, callId, fromUser: caller, extraHeaders: ["Content-Type: application/sdp"], body: SdpOffer);
        await peer.SendAsync(invite);
        RawSipResponse answer;
        while (true)
        {
            (var before, answer) = await peer.ReceiveUntilAsync(callId);
            Assert.Empty(before);
            if (answer.StatusCode >= 200)
            {
                break;
            }

            Assert.Equal(100, answer.StatusCode);
        }

        var via = invite.Split("\r\n").Single(line => line.StartsWith("Via:", StringComparison.Ordinal));
        await peer.SendAsync(string.Join("\r\n",
            $"ACK sip:{number}@127.0.0.1:{fixture.Edge.Port} SIP/2.0",
            via,
            answer.HeaderLines("From").Single(),
            answer.HeaderLines("To").Single(),
            $"Call-ID: {callId}",
            "CSeq: 1 ACK",
            "Max-Forwards: 70",
            "Content-Length: 0",
            string.Empty,
            string.Empty));
        return answer;
    }

    /// <summary>The prompts the edge played to the call, in order, once the edge has finished it (from the call's trace).</summary>
    private async Task<IReadOnlyList<string>> PromptsPlayedAsync(string callId)
    {
        Activity? root = null;
        await Eventually.HoldsAsync(
            () => Task.FromResult((root = fixture.Activities.FirstOrDefault(a => a.OperationName == EdgeTelemetry.CallSpanName
                && (string?)a.GetTagItem("callcenter.call_id") == callId)) is not null),
            "the edge finishing the call's INVITE span");
        return fixture.Activities.Where(a => a.TraceId == root!.TraceId)
            .SelectMany(a => a.Events)
            .Where(e => e.Name == CallerPrompts.PlayedEventName)
            .OrderBy(e => e.Timestamp)
            .SelectMany(e => ((string?)e.Tags.First(t => t.Key == CallerPrompts.PlayedTagName).Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
    }
}
