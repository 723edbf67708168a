using System.Diagnostics;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// An edge call's trace: the INVITE's span (root, or a child of a traceparent the caller sent), the queue step and
/// the offer in progress. Its methods are synchronous on purpose: a span they start becomes
/// <see cref="Activity.Current"/> for the caller's own flow, as it would if the caller started it.
/// </summary>
internal sealed class CallTrace(string callId)
{
    private Activity? _callSpan;
    private Activity? _queueSpan;
    private Activity? _offerSpan;

    /// <summary>The INVITE's span: a child of the caller's W3C traceparent when its INVITE carried one, else a new trace.</summary>
    public Activity? StartCall(SipRequest invite, string siteId, string dialledNumber)
    {
        ActivityContext.TryParse(invite.Headers.GetFirst("traceparent"), invite.Headers.GetFirst("tracestate"), out var parent);
        var span = EdgeTelemetry.ActivitySource.StartActivity(EdgeTelemetry.CallSpanName, ActivityKind.Server, parent);
        span?.SetTag("callcenter.call_id", callId);
        span?.SetTag("callcenter.site", siteId);
        span?.SetTag("sip.call_id", invite.CallId);
        span?.SetTag("sip.dialled", dialledNumber);
        _callSpan = span;
        return span;
    }

    /// <summary>A step of the call (IVR, bridge) under the current span.</summary>
    public Activity? StartStep(string name) => EdgeTelemetry.StartStep(name, callId);

    public Activity? StartHangUp(string party)
    {
        var span = EdgeTelemetry.StartStep(EdgeTelemetry.HangUpSpanName, callId);
        span?.SetTag("callcenter.party", party);
        return span;
    }

    /// <summary>Starts the queue step; the enqueue that follows runs under it until <see cref="Enqueued"/>.</summary>
    public void StartQueue() => _queueSpan = EdgeTelemetry.StartStep(EdgeTelemetry.QueueSpanName, callId);

    /// <summary>Tags the queue step with where the call went; the call's span is current again (the queue step stays open while the call waits).</summary>
    public void Enqueued(string? queueId, int position)
    {
        _queueSpan?.SetTag("callcenter.queue", queueId ?? "entry point");
        _queueSpan?.SetTag("callcenter.queue.position", position);
        Activity.Current = _callSpan;
    }

    public void EndQueue(string result) => End(ref _queueSpan, result);

    /// <summary>One span per offer, under the queue step: from the offer to the phone's answer or failure.</summary>
    public void StartOffer(long? epoch)
    {
        EndOffer("superseded");
        _offerSpan = EdgeTelemetry.ActivitySource.StartActivity(EdgeTelemetry.OfferSpanName, ActivityKind.Internal, _queueSpan?.Context ?? _callSpan?.Context ?? default);
        _offerSpan?.SetTag("callcenter.call_id", callId);
        _offerSpan?.SetTag("callcenter.offer_epoch", epoch);
    }

    public void EndOffer(string result) => End(ref _offerSpan, result);

    private static void End(ref Activity? field, string result)
    {
        if (field is { } span)
        {
            field = null;
            span.SetTag("callcenter.result", result);
            span.Stop();
        }
    }
}
