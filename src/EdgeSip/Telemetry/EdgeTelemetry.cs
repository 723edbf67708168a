using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Telemetry;

/// <summary>
/// The SIP edge's activity source and metrics, in one place. A call's trace starts at the edge's INVITE span
/// (<see cref="CallSpanName"/>) and has a child span per step (IVR, queue, offer, bridge, hang-up); grain calls made
/// inside a step join it through Orleans' activity propagation. Metric labels: method, transport, site, leg; never a
/// call, agent or SIP Call-ID.
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

    /// <summary>Methods that get a label of their own; anything else counts as "other" (a label must stay bounded).</summary>
    private static readonly HashSet<string> KnownMethods =
    [
        SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Options, SipMethods.Register,
        "REFER", "NOTIFY", "INFO", "UPDATE", "PRACK", "SUBSCRIBE", "MESSAGE",
    ];

    public static readonly Meter Meter = new(MeterName, "1.0");
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, "1.0");

    /// <summary>SIP server transactions the edge received (a request and its responses), by method and transport.</summary>
    public static readonly Counter<long> SipTransactions = Meter.CreateCounter<long>(SipTransactionsName, "{transaction}", "SIP server transactions received, by method and transport");

    /// <summary>RTP packets received on a call's legs, counted when the leg closes, by site and leg (caller, agent).</summary>
    public static readonly Counter<long> RtpPacketsReceived = Meter.CreateCounter<long>(RtpPacketsReceivedName, "{packet}", "RTP packets received, by site and leg");

    /// <summary>RTP packets lost (RFC 3550 cumulative loss: expected minus received), counted when the leg closes.</summary>
    public static readonly Counter<long> RtpPacketsLost = Meter.CreateCounter<long>(RtpPacketsLostName, "{packet}", "RTP packets lost, by site and leg");

    /// <summary>Calls the edge is carrying now, by site.</summary>
    public static readonly UpDownCounter<long> EdgeCallsActive = Meter.CreateUpDownCounter<long>(EdgeCallsActiveName, "{call}", "Calls at the edge now, by site");

    public static void TransactionReceived(string method, string transport) =>
        SipTransactions.Add(1,
            new KeyValuePair<string, object?>("method", KnownMethods.Contains(method) ? method : "other"),
            new KeyValuePair<string, object?>("transport", transport.ToLowerInvariant()));

    /// <summary>Counts a leg's RTP reception once, when it closes.</summary>
    public static void MediaClosed(RtpEndpoint media, string site, string leg)
    {
        var site_ = new KeyValuePair<string, object?>("site", site);
        var leg_ = new KeyValuePair<string, object?>("leg", leg);
        RtpPacketsReceived.Add(media.PacketsReceived, site_, leg_);
        var lost = media.Statistics.CumulativeLost;
        if (lost > 0)
        {
            RtpPacketsLost.Add(lost, site_, leg_);
        }
    }

    /// <summary>A step of a call's trace, a child of the current (call) activity.</summary>
    public static Activity? StartStep(string name, string callId)
    {
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag("callcenter.call_id", callId);
        return activity;
    }
}
