using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Domain.History;

/// <summary>One interval of one queue at one site (or of a whole site when <see cref="QueueId"/> is null). Definitions in docs/reports.md.</summary>
public sealed record IntervalRow
{
    public required DateTimeOffset IntervalStart { get; init; }
    public required int IntervalMinutes { get; init; }
    public string? QueueId { get; init; }
    public required string SiteId { get; init; }
    public int Offered { get; init; }
    public int Answered { get; init; }
    public int Abandoned { get; init; }
    public int ShortAbandoned { get; init; }
    /// <summary>Offered calls that ended neither answered nor abandoned: overflowed, turned into callbacks, transferred out unanswered, failed.</summary>
    public int OtherOutcomes { get; init; }
    public int AnsweredWithinThreshold { get; init; }
    public double? ServiceLevel { get; init; }
    public double? AsaSeconds { get; init; }
    public double? AhtSeconds { get; init; }
    public int AgentsHandling { get; init; }
    public double? Occupancy { get; init; }
    public int Surveys { get; init; }
    public double? AverageSurveyScore { get; init; }
}

/// <summary>
/// Interval reports from call records, as plain arithmetic: records are bucketed by arrival time, grouped per queue and
/// site (and per site over all queues), and turned into the figures docs/reports.md defines. Occupancy comes from the
/// agents' presence spans, clipped to each interval, not from the calls.
/// </summary>
public static class IntervalReport
{
    public static IReadOnlyList<int> AllowedIntervals { get; } = [15, 30, 60];

    /// <summary>A caller who hangs up within this many seconds of queueing is a short abandon: not offered, not abandoned.</summary>
    public const double DefaultShortAbandonSeconds = 5;

    /// <param name="thresholdSeconds">The service-level threshold of a queue (its configured value; 20 s when unknown).</param>
    /// <param name="spans">The agents' presence spans overlapping the report's range; occupancy is null without them.</param>
    public static IReadOnlyList<IntervalRow> Build(
        IEnumerable<CallRecord> records,
        int intervalMinutes,
        Func<string, double> thresholdSeconds,
        double shortAbandonSeconds = DefaultShortAbandonSeconds,
        IEnumerable<AgentStateSpan>? spans = null)
    {
        if (!AllowedIntervals.Contains(intervalMinutes))
        {
            throw new ArgumentOutOfRangeException(nameof(intervalMinutes), "must be 15, 30 or 60");
        }

        var spansBySite = (spans ?? []).GroupBy(span => span.SiteId, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
        double? SiteOccupancy(string siteId, DateTimeOffset start) =>
            spansBySite.TryGetValue(siteId, out var siteSpans) ? Occupancy(siteSpans, start, start.AddMinutes(intervalMinutes)) : null;
        var latest = CallRecord.Latest(records).Where(record => record.QueueId is not null && record.SiteId is not null).ToList();
        var byQueue = latest
            .GroupBy(record => (Start: IntervalStart(record.ArrivedAt, intervalMinutes), Queue: record.QueueId, Site: record.SiteId!))
            .Select(group => Row(group.Key.Start, intervalMinutes, group.Key.Queue, group.Key.Site, group.ToList(), _ => thresholdSeconds(group.Key.Queue!), shortAbandonSeconds, SiteOccupancy(group.Key.Site, group.Key.Start)));
        var bySite = latest
            .GroupBy(record => (Start: IntervalStart(record.ArrivedAt, intervalMinutes), Site: record.SiteId!))
            .Select(group => Row(group.Key.Start, intervalMinutes, null, group.Key.Site, group.ToList(), record => thresholdSeconds(record.QueueId!), shortAbandonSeconds, SiteOccupancy(group.Key.Site, group.Key.Start)));
        return byQueue.Concat(bySite)
            .OrderBy(row => row.IntervalStart).ThenBy(row => row.SiteId, StringComparer.Ordinal)
            .ThenBy(row => row.QueueId is null ? 1 : 0).ThenBy(row => row.QueueId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The start of the interval holding <paramref name="at"/>, on UTC boundaries.</summary>
    public static DateTimeOffset IntervalStart(DateTimeOffset at, int intervalMinutes)
    {
        var utc = at.ToUniversalTime();
        var ticks = TimeSpan.FromMinutes(intervalMinutes).Ticks;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % ticks), TimeSpan.Zero);
    }

    /// <summary>
    /// Handling seconds / (handling + available seconds) of <paramref name="spans"/> clipped to [start, end): handling is
    /// Reserved, Busy and WrapUp, available is Available; NotReady and LoggedOut count in neither. Null when the spans
    /// hold no handling or available time in the interval.
    /// </summary>
    public static double? Occupancy(IEnumerable<AgentStateSpan> spans, DateTimeOffset start, DateTimeOffset end)
    {
        double handling = 0, available = 0;
        foreach (var span in spans)
        {
            if (AgentPresenceMachine.IsHandling(span.State))
            {
                handling += span.SecondsWithin(start, end);
            }
            else if (span.State == PresenceState.Available)
            {
                available += span.SecondsWithin(start, end);
            }
        }

        return handling + available > 0 ? handling / (handling + available) : null;
    }

    public static bool IsShortAbandon(CallRecord record, double shortAbandonSeconds) =>
        !record.WasAnswered && record.Outcome == CallOutcome.Abandoned && record.FirstEnqueuedAt is not null && record.WaitSeconds < shortAbandonSeconds;

    private static IntervalRow Row(DateTimeOffset start, int minutes, string? queueId, string siteId, List<CallRecord> calls, Func<CallRecord, double> threshold, double shortAbandonSeconds, double? occupancy)
    {
        // Calls that never reached a queue (abandoned in the IVR) have no queue id and are not here.
        var shortAbandons = calls.Count(call => IsShortAbandon(call, shortAbandonSeconds));
        var offered = calls.Where(call => !IsShortAbandon(call, shortAbandonSeconds)).ToList();
        var answered = offered.Where(call => call.WasAnswered).ToList();
        var abandoned = offered.Count(call => !call.WasAnswered && call.Outcome == CallOutcome.Abandoned);
        var withinThreshold = answered.Count(call => call.WaitSeconds <= threshold(call));
        // Occupancy is the site's, from agent states (agents serve many queues): the same value on its queue rows.
        var handleSeconds = answered.Sum(call => call.TalkSeconds + call.WrapUpSeconds);
        var agents = answered.Select(call => call.AgentId).Where(agent => agent is not null).Distinct(StringComparer.Ordinal).Count();
        var surveys = calls.Where(call => call.SurveyRating is not null).ToList();
        return new IntervalRow
        {
            IntervalStart = start,
            IntervalMinutes = minutes,
            QueueId = queueId,
            SiteId = siteId,
            Offered = offered.Count,
            Answered = answered.Count,
            Abandoned = abandoned,
            ShortAbandoned = shortAbandons,
            OtherOutcomes = offered.Count - answered.Count - abandoned,
            AnsweredWithinThreshold = withinThreshold,
            ServiceLevel = offered.Count == 0 ? null : (double)withinThreshold / offered.Count,
            AsaSeconds = answered.Count == 0 ? null : answered.Average(call => call.WaitSeconds),
            AhtSeconds = answered.Count == 0 ? null : handleSeconds / answered.Count,
            AgentsHandling = agents,
            Occupancy = occupancy,
            Surveys = surveys.Count,
            AverageSurveyScore = surveys.Count == 0 ? null : surveys.Average(call => (double)call.SurveyRating!.Value),
        };
    }
}
