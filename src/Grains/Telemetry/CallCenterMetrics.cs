using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallCenter.Model;

namespace CallCenter.Grains.Telemetry;

/// <summary>
/// Every metric and the activity source of the grains, in one place. Labels are bounded by configuration only
/// (outcome, queue, site, state, result): never a call, agent or grain id. Gauges read the last values the queue and
/// site activations of this silo reported (<see cref="ReportServiceLevels"/>, <see cref="ReportAgentStates"/>), so a
/// cluster's series are the sum over its silos.
/// </summary>
public static class CallCenterMetrics
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

    public static readonly Meter Meter = new(MeterName, "1.0");
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, "1.0");

    private static readonly ConcurrentDictionary<(string Queue, string Site), double> ServiceLevels = new();
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<PresenceState, int>> AgentStates = new(StringComparer.Ordinal);

    /// <summary>Calls that ended, by outcome, the queue they were last in (or "none") and site.</summary>
    public static readonly Counter<long> CallsEnded = Meter.CreateCounter<long>(CallsEndedName, "{call}", "Calls ended, by outcome, queue and site");

    /// <summary>Calls that arrived, by site.</summary>
    public static readonly Counter<long> CallsArrived = Meter.CreateCounter<long>(CallsArrivedName, "{call}", "Calls arrived, by site");

    /// <summary>Seconds a call waited in its queue until an agent took it (result=answered) or the caller left (result=abandoned).</summary>
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram(QueueWaitName, "s", "Wait in queue until answered or abandoned",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800] });

    /// <summary>Seconds from a call's enqueue to each offer the queue makes (the routing decision's latency), by queue and site.</summary>
    public static readonly Histogram<double> RoutingLatency = Meter.CreateHistogram(RoutingLatencyName, "s", "Enqueue to offer",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 10, 30, 60, 300] });

    static CallCenterMetrics()
    {
        Meter.CreateObservableGauge(ServiceLevelName, ObserveServiceLevels, "1", "Share of calls answered within the queue's threshold over 15 minutes, by queue and site");
        Meter.CreateObservableGauge(AgentsName, ObserveAgents, "{agent}", "Agents by site and presence state");
    }

    public static void CallArrived(string site) => CallsArrived.Add(1, new KeyValuePair<string, object?>("site", site));

    public static void CallEnded(CallOutcome outcome, string? queue, string? site) =>
        CallsEnded.Add(1, Outcome(outcome), Queue(queue), Site(site));

    public static void WaitEnded(double seconds, bool answered, string? queue, string? site) =>
        QueueWait.Record(seconds, new KeyValuePair<string, object?>("result", answered ? "answered" : "abandoned"), Queue(queue), Site(site));

    public static void Offered(double secondsSinceEnqueue, string queue, string? site) =>
        RoutingLatency.Record(secondsSinceEnqueue, Queue(queue), Site(site));

    /// <summary>A queue's latest 15-minute service level per site (null: nothing answered or abandoned yet, not reported).</summary>
    public static void ReportServiceLevels(string queue, IEnumerable<QueueSiteStatus> sites)
    {
        foreach (var site in sites)
        {
            if (site.ServiceLevel is { } level)
            {
                ServiceLevels[(queue, site.SiteId)] = level;
            }
        }
    }

    public static void ForgetQueue(string queue)
    {
        foreach (var key in ServiceLevels.Keys.Where(key => key.Queue == queue))
        {
            ServiceLevels.TryRemove(key, out _);
        }
    }

    /// <summary>A site's agents by state (states with none are reported as 0, so a series drops to zero rather than vanishing).</summary>
    public static void ReportAgentStates(string site, IReadOnlyDictionary<PresenceState, int> byState) => AgentStates[site] = byState;

    public static void ForgetSite(string site) => AgentStates.TryRemove(site, out _);

    private static IEnumerable<Measurement<double>> ObserveServiceLevels() =>
        ServiceLevels.Select(entry => new Measurement<double>(entry.Value, Queue(entry.Key.Queue), Site(entry.Key.Site)));

    private static IEnumerable<Measurement<long>> ObserveAgents()
    {
        foreach (var (site, byState) in AgentStates)
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
