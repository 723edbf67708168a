using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CallCenter.Model;

namespace CallCenter.Grains.Telemetry;

/// <summary>
/// Every metric of the grains, in one place: one instance per silo, its meter made by the host's
/// <see cref="IMeterFactory"/> (so each silo's instruments live and die with its service provider). Labels are bounded
/// by configuration only (outcome, queue, site, state, result): never a call, agent or grain id. Gauges read the last
/// values the queue and site activations of this silo reported (<see cref="ReportServiceLevels"/>,
/// <see cref="ReportAgentStates"/>), so a cluster's series are the sum over its silos.
/// </summary>
public sealed class CallCenterMetrics
{
    public const string MeterName = "CallCenter.Grains";
    public const string ActivitySourceName = "CallCenter.Grains";

    public const string CallsEndedName = "callcenter.calls.ended";
    public const string CallsArrivedName = "callcenter.calls.arrived";
    public const string QueueWaitName = "callcenter.queue.wait";
    public const string RoutingLatencyName = "callcenter.routing.latency";
    public const string ServiceLevelName = "callcenter.queue.service_level";
    public const string AgentsName = "callcenter.agents";

    /// <summary>The label for a call that never reached a queue.</summary>
    public const string NoQueue = "none";

    private readonly ConcurrentDictionary<(string Queue, string Site), double> _serviceLevels = new();
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<PresenceState, int>> _agentStates = new(StringComparer.Ordinal);

    /// <summary>Calls that ended, by outcome, the queue they were last in (or "none") and site.</summary>
    private readonly Counter<long> _callsEnded;

    /// <summary>Calls that arrived, by site.</summary>
    private readonly Counter<long> _callsArrived;

    /// <summary>Seconds a call waited in its queue until an agent took it (result=answered) or the caller left (result=abandoned).</summary>
    private readonly Histogram<double> _queueWait;

    /// <summary>Seconds from a call's enqueue to each offer the queue makes (the routing decision's latency), by queue and site.</summary>
    private readonly Histogram<double> _routingLatency;

    public CallCenterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(new MeterOptions(MeterName) { Version = "1.0" });
        _callsEnded = meter.CreateCounter<long>(CallsEndedName, "{call}", "Calls ended, by outcome, queue and site");
        _callsArrived = meter.CreateCounter<long>(CallsArrivedName, "{call}", "Calls arrived, by site");
        _queueWait = meter.CreateHistogram(QueueWaitName, "s", "Wait in queue until answered or abandoned",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800] });
        _routingLatency = meter.CreateHistogram(RoutingLatencyName, "s", "Enqueue to offer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 30, 60, 300] });
        meter.CreateObservableGauge(ServiceLevelName, ObserveServiceLevels, "1", "Share of calls answered within the queue's threshold over 15 minutes, by queue and site");
        meter.CreateObservableGauge(AgentsName, ObserveAgents, "{agent}", "Agents by site and presence state");
    }

    public void CallArrived(string site) => _callsArrived.Add(1, new KeyValuePair<string, object?>("site", site));

    public void CallEnded(CallOutcome outcome, string? queue, string? site) =>
        _callsEnded.Add(1, Outcome(outcome), Queue(queue), Site(site));

    public void WaitEnded(double seconds, bool answered, string? queue, string? site) =>
        _queueWait.Record(seconds, new KeyValuePair<string, object?>("result", answered ? "answered" : "abandoned"), Queue(queue), Site(site));

    public void Offered(double secondsSinceEnqueue, string queue, string? site) =>
        _routingLatency.Record(secondsSinceEnqueue, Queue(queue), Site(site));

    /// <summary>A queue's latest 15-minute service level per site (null: nothing answered or abandoned yet, not reported).</summary>
    public void ReportServiceLevels(string queue, IEnumerable<QueueSiteStatus> sites)
    {
        foreach (var site in sites)
        {
            if (site.ServiceLevel is { } level)
            {
                _serviceLevels[(queue, site.SiteId)] = level;
            }
        }
    }

    public void ForgetQueue(string queue)
    {
        foreach (var key in _serviceLevels.Keys.Where(key => key.Queue == queue))
        {
            _serviceLevels.TryRemove(key, out _);
        }
    }

    /// <summary>A site's agents by state (states with none are reported as 0, so a series drops to zero rather than vanishing).</summary>
    public void ReportAgentStates(string site, IReadOnlyDictionary<PresenceState, int> byState) => _agentStates[site] = byState;

    public void ForgetSite(string site) => _agentStates.TryRemove(site, out _);

    private IEnumerable<Measurement<double>> ObserveServiceLevels() =>
        _serviceLevels.Select(entry => new Measurement<double>(entry.Value, Queue(entry.Key.Queue), Site(entry.Key.Site)));

    private IEnumerable<Measurement<long>> ObserveAgents()
    {
        foreach (var (site, byState) in _agentStates)
        {
            foreach (var state in Enum.GetValues<PresenceState>())
            {
                yield return new Measurement<long>(byState.GetValueOrDefault(state), Site(site), State(state));
            }
        }
    }

    private static KeyValuePair<string, object?> Outcome(CallOutcome outcome) => new("outcome", Snake(outcome.ToString()));

    private static KeyValuePair<string, object?> Queue(string? queue) => new("queue", queue ?? NoQueue);

    private static KeyValuePair<string, object?> Site(string? site) => new("site", site ?? "unknown");

    private static KeyValuePair<string, object?> State(PresenceState state) => new("state", Snake(state.ToString()));

    /// <summary>"CallbackScheduled" → "callback_scheduled".</summary>
    internal static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
