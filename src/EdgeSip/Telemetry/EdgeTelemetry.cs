using System.Diagnostics;

namespace CallCenter.EdgeSip.Telemetry;

/// <summary>
/// The SIP edge's activity source and the names of its spans and instruments (the instruments: <see cref="EdgeMetrics"/>). A call's trace starts at the edge's INVITE span
/// (<see cref="CallSpanName"/>) and has a child span per step (IVR, queue, offer, bridge, hang-up); grain calls made
/// inside a step join it through Orleans' activity propagation.
/// </summary>
public static class EdgeTelemetry
{
    public const string MeterName = "CallCenter.EdgeSip";
    public const string ActivitySourceName = "CallCenter.EdgeSip";

    public const string CallSpanName = "sip.call";
    public const string IvrSpanName = "call.ivr";
    public const string QueueSpanName = "call.queue";
    public const string OfferSpanName = "call.offer";
    public const string BridgeSpanName = "call.bridge";
    public const string HangUpSpanName = "call.hangup";

    public const string SipTransactionsName = "callcenter.sip.transactions";
    public const string RtpPacketsReceivedName = "callcenter.rtp.packets.received";
    public const string RtpPacketsLostName = "callcenter.rtp.packets.lost";
    public const string EdgeCallsActiveName = "callcenter.edge.calls.active";
    public const string WebSocketConnectionsName = "callcenter.sip.websocket.connections";
    public const string WebSocketDroppedName = "callcenter.sip.websocket.dropped";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, "1.0");

    /// <summary>A step of a call's trace, a child of the current (call) activity.</summary>
    public static Activity? StartStep(string name, string callId)
    {
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag("callcenter.call_id", callId);
        return activity;
    }
}
