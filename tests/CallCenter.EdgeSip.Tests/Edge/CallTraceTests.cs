using CallCenter.EdgeSip.Telemetry;
using CallCenter.EdgeSip.Tests.Infrastructure;
using CallCenter.EdgeSip.Tests.Peers;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Edge;

/// <summary>One call, one trace: the edge's INVITE span and every step and grain call under it share a trace id.</summary>
[Collection(EdgeCollection.Name)]
public sealed class CallTraceTests(EdgeFixture fixture)
{
    [Fact]
    public async Task IvrQueueOfferBridgeHangUp_AreOneTrace_FromTheEdgesInviteThroughTheGrains()
    {
        using var metrics = new MetricCapture(EdgeTelemetry.MeterName);
        await using var session = new EdgeSession(fixture);
        await using var phone = await session.StartAgentPhoneAsync("tia", byeAfterMs: 1000);
        var caller = EdgeSession.NewCallerNumber();

        // Account 4321 into the IVR, then 1 for sales; the agent's phone answers, then hangs up.
        var call = await session.CallAsync(SippScenarios.CallerDtmf, "7100", caller, new Dictionary<string, string>
        {
            ["digits"] = "43211",
            ["dtmf_delay_ms"] = "1000",
            ["dtmf_gap_ms"] = "400",
        });
        Assert.True(call.Succeeded, call.Describe());
        Assert.True((await phone.WaitForExitAsync()).Succeeded);
        var ended = await session.EndedCallOfAsync(caller);
        Assert.Equal(CallOutcome.Answered, ended.Outcome);

        // The INVITE's span stops when the edge has finished the call (after the grains ended it).
        System.Diagnostics.Activity? root = null;
        await Eventually.HoldsAsync(
            () => Task.FromResult((root = fixture.Activities.FirstOrDefault(a => a.OperationName == EdgeTelemetry.CallSpanName
                && (string?)a.GetTagItem("callcenter.call_id") == ended.CallId)) is not null),
            "the edge finishing the call's INVITE span");

        var trace = fixture.Activities.Where(a => a.TraceId == root!.TraceId).ToList();
        var names = trace.Select(a => a.OperationName).ToHashSet();
        Assert.Null(root!.Parent);
        Assert.Contains(EdgeTelemetry.IvrSpanName, names);
        Assert.Contains(EdgeTelemetry.QueueSpanName, names);
        Assert.Contains(EdgeTelemetry.OfferSpanName, names);
        Assert.Contains(EdgeTelemetry.BridgeSpanName, names);
        Assert.Contains(EdgeTelemetry.HangUpSpanName, names);
        var steps = trace.Where(a => a.Source.Name == EdgeTelemetry.ActivitySourceName && a != root).ToList();
        Assert.All(steps, step => Assert.True(trace.Any(parent => parent.SpanId == step.ParentSpanId),
            $"{step.OperationName} has parent {step.ParentSpanId}, not in: " + string.Join(", ", trace.Select(a => $"{a.OperationName}={a.SpanId}<{a.ParentSpanId}"))));
        var queue = trace.Single(a => a.OperationName == EdgeTelemetry.QueueSpanName);
        Assert.Equal(root.SpanId, queue.ParentSpanId);
        Assert.Contains(trace, a => a.OperationName == EdgeTelemetry.OfferSpanName && a.ParentSpanId == queue.SpanId && (string?)a.GetTagItem("callcenter.result") == "answered");

        // The grains' side of the same trace: Orleans' spans of the call grain's methods, and the end with its outcome.
        var grainSpans = trace.Where(a => a.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).ToList();
        Assert.Contains(grainSpans, a => a.OperationName.Contains("EnqueueAsync", StringComparison.Ordinal));
        Assert.Contains(grainSpans, a => a.OperationName.Contains("AcceptAsync", StringComparison.Ordinal));
        // The edge delivers its hang-ups with how long ago they happened (issue 13: a late hang-up ends at its real time).
        Assert.Contains(grainSpans, a => a.OperationName is "ICallDesk/HangUpAsync" or "ICallEdge/HangUpSinceAsync" && (string?)a.GetTagItem("callcenter.call_id") == ended.CallId);
        // The edge's metrics of the same call: its SIP transactions by method and transport, RTP of both legs.
        Assert.Contains(metrics.Measurements, m => m.Instrument == EdgeTelemetry.SipTransactionsName && m.Tags["method"] == "INVITE" && m.Tags["transport"] == "udp");
        Assert.Contains(metrics.Measurements, m => m.Instrument == EdgeTelemetry.SipTransactionsName && m.Tags["method"] == "REGISTER");
        Assert.Contains(metrics.Of(EdgeTelemetry.RtpPacketsReceivedName, "leg", "caller"), m => m.Value > 0 && m.Tags["site"] == EdgeFixture.Site);
        Assert.Contains(metrics.Of(EdgeTelemetry.RtpPacketsReceivedName, "leg", "agent"), m => m.Tags["site"] == EdgeFixture.Site);
        Assert.All(metrics.Measurements, m => Assert.DoesNotContain(m.Tags.Values, v => v == ended.CallId || v == "tia"));

        Assert.Contains(trace, a => a.Events.Any(e => e.Name == "call.ended" && e.Tags.Any(t => t.Key == "call.outcome" && (string?)t.Value == nameof(CallOutcome.Answered))));
    }
}
