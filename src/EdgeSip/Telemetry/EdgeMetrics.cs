using System.Diagnostics.Metrics;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip;

namespace CallCenter.EdgeSip.Telemetry;

/// <summary>
/// The SIP edge's instruments, made from the host's <see cref="IMeterFactory"/> so they live and die with its service
/// provider (one edge per host; a test's edge does not share instruments with another's). Labels: method, transport,
/// site, leg; never a call, agent or SIP Call-ID.
/// </summary>
public sealed class EdgeMetrics
{
    /// <summary>Methods that get a label of their own; anything else counts as "other" (a label must stay bounded).</summary>
    private static readonly IReadOnlySet<string> KnownMethods = new HashSet<string>(
    [
        SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Options, SipMethods.Register,
        "REFER", "NOTIFY", "INFO", "UPDATE", "PRACK", "SUBSCRIBE", "MESSAGE",
    ]);

    private readonly Counter<long> _sipTransactions;
    private readonly Counter<long> _rtpPacketsReceived;
    private readonly Counter<long> _rtpPacketsLost;
    private readonly UpDownCounter<long> _callsActive;
    private readonly Meter _meter;

    public EdgeMetrics(IMeterFactory meters)
    {
        var meter = _meter = meters.Create(EdgeTelemetry.MeterName, "1.0");
        _sipTransactions = meter.CreateCounter<long>(EdgeTelemetry.SipTransactionsName, "{transaction}", "SIP server transactions received, by method and transport");
        _rtpPacketsReceived = meter.CreateCounter<long>(EdgeTelemetry.RtpPacketsReceivedName, "{packet}", "RTP packets received, by site and leg");
        _rtpPacketsLost = meter.CreateCounter<long>(EdgeTelemetry.RtpPacketsLostName, "{packet}", "RTP packets lost, by site and leg");
        _callsActive = meter.CreateUpDownCounter<long>(EdgeTelemetry.EdgeCallsActiveName, "{call}", "Calls at the edge now, by site");
    }

    /// <summary>A SIP server transaction the edge received (a request and its responses).</summary>
    public void TransactionReceived(string method, string transport) =>
        _sipTransactions.Add(1,
            new KeyValuePair<string, object?>("method", KnownMethods.Contains(method) ? method : "other"),
            new KeyValuePair<string, object?>("transport", transport.ToLowerInvariant()));

    /// <summary>Counts a leg's RTP reception once, when it closes (RFC 3550 cumulative loss: expected minus received).</summary>
    public void MediaClosed(RtpEndpoint media, string site, string leg)
    {
        var siteTag = new KeyValuePair<string, object?>("site", site);
        var legTag = new KeyValuePair<string, object?>("leg", leg);
        _rtpPacketsReceived.Add(media.PacketsReceived, siteTag, legTag);
        var lost = media.Statistics.CumulativeLost;
        if (lost > 0)
        {
            _rtpPacketsLost.Add(lost, siteTag, legTag);
        }
    }

    /// <summary>The SIP over WebSocket listener's open connections and what it dropped, by reason.</summary>
    public void ObserveWebSocket(CallCenter.Sip.Transport.WebSocketSipTransport transport)
    {
        _meter.CreateObservableGauge(EdgeTelemetry.WebSocketConnectionsName, () => transport.ConnectionCount, "{connection}", "Open SIP over WebSocket connections");
        _meter.CreateObservableCounter(EdgeTelemetry.WebSocketDroppedName, () => new[]
        {
            new Measurement<long>(transport.MalformedMessages, new KeyValuePair<string, object?>("reason", "malformed")),
            new Measurement<long>(transport.OversizeMessages, new KeyValuePair<string, object?>("reason", "oversize")),
            new Measurement<long>(transport.RefusedUpgrades, new KeyValuePair<string, object?>("reason", "refused_upgrade")),
            new Measurement<long>(transport.IdleClosures, new KeyValuePair<string, object?>("reason", "idle")),
        }, "{event}", "SIP over WebSocket messages dropped and connections refused or closed, by reason");
    }

    public void CallStarted(string site) => _callsActive.Add(1, new KeyValuePair<string, object?>("site", site));

    public void CallEnded(string site) => _callsActive.Add(-1, new KeyValuePair<string, object?>("site", site));
}
