using CallCenter.Domain.Staffing;

namespace CallCenter.Domain.History;

/// <summary>One forecast interval of a queue, with the agents Erlang C says it needs.</summary>
public sealed record ForecastInterval(
    DateTimeOffset IntervalStart,
    double Calls,
    double AhtSeconds,
    int Agents,
    int AgentsWithShrinkage,
    double? ServiceLevel,
    double? AsaSeconds);

/// <summary>
/// A seasonal average: each interval of the forecast day gets the mean offered calls (and mean AHT) of the same
/// interval on the same weekday in the previous <c>weeks</c> weeks (weeks without any call count as zero); the staffing
/// is Erlang C's fewest agents meeting the target, then shrinkage.
/// </summary>
public static class Forecast
{
    public static IReadOnlyList<ForecastInterval> NextDay(
        IEnumerable<CallRecord> queueRecords,
        DateOnly day,
        int intervalMinutes,
        int weeks,
        double targetServiceLevel,
        double thresholdSeconds,
        double shrinkage,
        double defaultAhtSeconds,
        double shortAbandonSeconds = IntervalReport.DefaultShortAbandonSeconds)
    {
        if (!IntervalReport.AllowedIntervals.Contains(intervalMinutes))
        {
            throw new ArgumentOutOfRangeException(nameof(intervalMinutes), "must be 15, 30 or 60");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        var offered = CallRecord.Latest(queueRecords).Where(record => !IntervalReport.IsShortAbandon(record, shortAbandonSeconds)).ToList();
        var bySlot = offered.ToLookup(record => IntervalReport.IntervalStart(record.ArrivedAt, intervalMinutes));
        var overallAnswered = offered.Where(record => record.WasAnswered).ToList();
        var overallAht = overallAnswered.Count > 0 ? overallAnswered.Average(record => record.TalkSeconds + record.WrapUpSeconds) : defaultAhtSeconds;
        var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var result = new List<ForecastInterval>();
        for (var start = dayStart; start < dayStart.AddDays(1); start = start.AddMinutes(intervalMinutes))
        {
            var past = Enumerable.Range(1, weeks).SelectMany(week => bySlot[start.AddDays(-7 * week)]).ToList();
            var calls = (double)past.Count / weeks;
            var answered = past.Where(record => record.WasAnswered).ToList();
            var aht = answered.Count > 0 ? answered.Average(record => record.TalkSeconds + record.WrapUpSeconds) : overallAht;
            if (calls <= 0 || aht <= 0)
            {
                result.Add(new ForecastInterval(start, calls, aht, 0, 0, null, null));
                continue;
            }

            var staffing = ErlangC.AgentsFor(calls, intervalMinutes * 60.0, aht, targetServiceLevel, thresholdSeconds);
            result.Add(new ForecastInterval(start, calls, aht, staffing.Agents, ErlangC.WithShrinkage(staffing.Agents, shrinkage), staffing.ServiceLevel, staffing.AverageSpeedOfAnswerSeconds));
        }

        return result;
    }
}
