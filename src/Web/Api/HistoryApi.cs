using System.Globalization;
using CallCenter.Domain.History;
using CallCenter.Domain.Staffing;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;

namespace CallCenter.Web.Api;

/// <summary>
/// Call history, interval reports, the next day's forecast and Erlang C staffing over HTTP, for supervisors (their
/// tenant's calls only) and admins. Every figure is defined in docs/reports.md. A bad parameter is a 400 naming it.
/// </summary>
internal static class HistoryApi
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>
    /// Times and dates a query may name. Far from DateTimeOffset's own limits, so the arithmetic on them (the default
    /// range, interval starts, weeks of history, the history store's look-back) can never overflow into a 500.
    /// </summary>
    public static readonly DateTimeOffset EarliestTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset LatestTime = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public const double DefaultThresholdSeconds = 20;

    /// <summary>Above this load (in Erlangs) the staffing search is refused rather than left to run.</summary>
    public const double MaxTrafficErlangs = 100_000;

    public static void MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireAuthorization(Policies.Supervisor);
        group.MapGet("/api/history/calls", async (HttpContext context, ICallHistory history, TimeProvider clock) =>
        {
            var query = new Query(context.Request.Query);
            var range = Range(query, clock);
            var format = query.Format();
            if (query.Error is { } error)
            {
                return HttpResults.Problem(400, error);
            }

            var records = await history.QueryAsync(new CallQuery
            {
                From = range.From,
                To = range.To,
                TenantId = TenantOf(context, query),
                QueueId = query.Id("queueId"),
                AgentId = query.Id("agentId"),
                SiteId = query.Id("siteId"),
            }, context.RequestAborted);
            if (query.Error is { } late)
            {
                return HttpResults.Problem(400, late);
            }

            return format == "csv" ? CsvResult(CallsCsv(records), "calls.csv") : Results.Json(records, JsonDefaults.Options);
        });

        group.MapGet("/api/reports/intervals", async (HttpContext context, ICallHistory history, IGrainFactory grains, TimeProvider clock) =>
        {
            var query = new Query(context.Request.Query);
            var range = Range(query, clock);
            var minutes = query.Interval();
            var shortAbandon = query.Number("shortAbandonSeconds", IntervalReport.DefaultShortAbandonSeconds, min: 0, max: 3600);
            var format = query.Format();
            var queueId = query.Id("queueId");
            var siteId = query.Id("siteId");
            var tenant = TenantOf(context, query);
            if (query.Error is { } error)
            {
                return HttpResults.Problem(400, error);
            }

            var records = await history.QueryAsync(new CallQuery { From = range.From, To = range.To, TenantId = tenant, QueueId = queueId, SiteId = siteId }, context.RequestAborted);
            // Occupancy is per site from agent state spans (agents are not tied to one queue), so spans are not filtered by queue.
            // The whole intervals the rows cover, which may start before `from` and end after `to`.
            var spans = await history.QuerySpansAsync(new AgentStateQuery { From = IntervalReport.IntervalStart(range.From, minutes), To = IntervalReport.IntervalStart(range.To, minutes).AddMinutes(minutes), TenantId = tenant, SiteId = siteId }, context.RequestAborted);
            var thresholds = await ThresholdsAsync(grains);
            var rows = IntervalReport.Build(records, minutes, queue => thresholds.GetValueOrDefault(queue, DefaultThresholdSeconds), shortAbandon, spans);
            if (queueId is not null)
            {
                rows = rows.Where(row => row.QueueId == queueId).ToList();
            }

            return format == "csv" ? CsvResult(IntervalsCsv(rows), "intervals.csv") : Results.Json(rows, JsonDefaults.Options);
        });

        group.MapGet("/api/reports/forecast", async (HttpContext context, ICallHistory history, IGrainFactory grains, TimeProvider clock) =>
        {
            var query = new Query(context.Request.Query);
            var queueId = query.Id("queueId");
            var day = query.Day("date", DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1));
            var minutes = query.Interval(30);
            var weeks = (int)query.Number("weeks", 4, min: 1, max: 12, integer: true);
            var target = query.Number("targetServiceLevel", 0.8, min: 0, max: 1, exclusive: true);
            var shrinkage = query.Number("shrinkage", 0, min: 0, max: 0.99);
            var defaultAht = query.Number("defaultAhtSeconds", 180, min: 1, max: 86_400);
            var format = query.Format();
            if (queueId is null && query.Error is null)
            {
                query.Fail("queueId is required");
            }

            if (query.Error is { } error)
            {
                return HttpResults.Problem(400, error);
            }

            // Another tenant's queue is "not found", like one that does not exist (its threshold is its configuration).
            var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
            if (configuration.Queues.FirstOrDefault(queue => queue.Id == queueId) is not { } forecastQueue
                || !AccessPolicy.SeesTenant(context.User.RequiredSessionPrincipal(), forecastQueue.TenantId))
            {
                return HttpResults.Problem(404, $"no queue '{queueId}'");
            }

            var threshold = query.Number("thresholdSeconds", forecastQueue.ServiceLevelThresholdSeconds, min: 0, max: 3600);
            if (query.Error is { } thresholdError)
            {
                return HttpResults.Problem(400, thresholdError);
            }

            var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-7 * weeks);
            var records = await history.QueryAsync(new CallQuery { From = from, To = from.AddDays(7 * weeks), TenantId = TenantOf(context, query), QueueId = queueId }, context.RequestAborted);
            var intervals = Forecast.NextDay(records, day, minutes, weeks, target, threshold, shrinkage, defaultAht);
            return format == "csv"
                ? CsvResult(Csv.Write(
                    ["intervalStart", "queueId", "calls", "ahtSeconds", "agents", "agentsWithShrinkage", "serviceLevel", "asaSeconds"],
                    intervals.Select(i => new object?[] { i.IntervalStart, queueId, i.Calls, i.AhtSeconds, i.Agents, i.AgentsWithShrinkage, i.ServiceLevel, i.AsaSeconds })), "forecast.csv")
                : Results.Json(new { queueId, date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), intervalMinutes = minutes, weeks, targetServiceLevel = target, thresholdSeconds = threshold, shrinkage, intervals }, JsonDefaults.Options);
        });

        group.MapGet("/api/staffing/erlang-c", (HttpContext context) =>
        {
            var query = new Query(context.Request.Query);
            var calls = query.Required("callsPerInterval", min: 0, max: double.MaxValue);
            var interval = query.Required("intervalSeconds", min: 0, max: 86_400 * 7, exclusiveMin: true);
            var aht = query.Required("ahtSeconds", min: 0, max: 86_400, exclusiveMin: true);
            var target = query.Number("targetServiceLevel", 0.8, min: 0, max: 1, exclusive: true);
            var threshold = query.Required("thresholdSeconds", min: 0, max: 86_400);
            var shrinkage = query.Number("shrinkage", 0, min: 0, max: 0.99);
            if (query.Error is null && calls / interval * aht > MaxTrafficErlangs)
            {
                query.Fail($"the offered load callsPerInterval / intervalSeconds × ahtSeconds is {calls / interval * aht:0.#} Erlangs; at most {MaxTrafficErlangs:0} are supported");
            }

            if (query.Error is { } error)
            {
                return HttpResults.Problem(400, error);
            }

            var result = ErlangC.AgentsFor(calls, interval, aht, target, threshold);
            return Results.Json(new
            {
                agents = result.Agents,
                serviceLevel = result.ServiceLevel,
                probabilityOfWaiting = result.ProbabilityOfWaiting,
                asaSeconds = result.AverageSpeedOfAnswerSeconds,
                occupancy = result.Occupancy,
                agentsWithShrinkage = ErlangC.WithShrinkage(result.Agents, shrinkage),
                trafficErlangs = calls / interval * aht,
            }, JsonDefaults.Options);
        });
    }

    /// <summary>A supervisor sees their tenant only; an admin sees every tenant, or the one named by <c>tenantId</c>.</summary>
    private static string? TenantOf(HttpContext context, Query query)
    {
        var principal = context.User.SessionPrincipal();
        var named = query.Id("tenantId");
        return principal is not null && AccessPolicy.SeesAllTenants(principal) ? named : principal?.TenantId ?? TenantDefinition.DefaultTenantId;
    }

    private static (DateTimeOffset From, DateTimeOffset To) Range(Query query, TimeProvider clock)
    {
        var to = query.Time("to") ?? clock.GetUtcNow();
        var from = query.Time("from") ?? to.AddDays(-1);
        if (query.Error is null && from >= to)
        {
            query.Fail("from must be before to");
        }
        else if (query.Error is null && to - from > MaxRange)
        {
            query.Fail($"the range from..to is at most {MaxRange.TotalDays:0} days");
        }

        return (from, to);
    }

    private static async Task<Dictionary<string, double>> ThresholdsAsync(IGrainFactory grains)
    {
        var configuration = await grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).GetAsync();
        return configuration.Queues.ToDictionary(queue => queue.Id, queue => queue.ServiceLevelThresholdSeconds, StringComparer.Ordinal);
    }

    /// <summary>A CSV download (Content-Disposition: attachment with the file name).</summary>
    private static IResult CsvResult(string csv, string fileName) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", fileName);

    internal static string CallsCsv(IEnumerable<CallRecord> records) => Csv.Write(
        ["callId", "revision", "tenantId", "siteId", "queueId", "agentId", "channel", "outcome", "outcomeDetail", "arrivedAt", "firstEnqueuedAt", "connectedAt", "endedAt", "waitSeconds", "talkSeconds", "wrapUpSeconds", "surveyRating", "dispositions", "events"],
        records.Select(r => new object?[]
        {
            r.CallId, r.Revision, r.TenantId, r.SiteId, r.QueueId, r.AgentId, r.Channel, r.Outcome, r.OutcomeDetail, r.ArrivedAt, r.FirstEnqueuedAt, r.ConnectedAt, r.EndedAt,
            r.WaitSeconds, r.TalkSeconds, r.WrapUpSeconds, r.SurveyRating,
            string.Join(";", r.Dispositions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}")),
            string.Join(";", r.Timeline.Select(e => e.Kind)),
        }));

    internal static string IntervalsCsv(IEnumerable<IntervalRow> rows) => Csv.Write(
        ["intervalStart", "intervalMinutes", "siteId", "queueId", "offered", "answered", "abandoned", "shortAbandoned", "otherOutcomes", "answeredWithinThreshold", "serviceLevel", "asaSeconds", "ahtSeconds", "agentsHandling", "occupancy", "surveys", "averageSurveyScore"],
        rows.Select(r => new object?[]
        {
            r.IntervalStart, r.IntervalMinutes, r.SiteId, r.QueueId, r.Offered, r.Answered, r.Abandoned, r.ShortAbandoned, r.OtherOutcomes, r.AnsweredWithinThreshold,
            r.ServiceLevel, r.AsaSeconds, r.AhtSeconds, r.AgentsHandling, r.Occupancy, r.Surveys, r.AverageSurveyScore,
        }));

    /// <summary>Reads query parameters, keeping the first problem as a message for the 400.</summary>
    private sealed class Query(IQueryCollection values)
    {
        public string? Error { get; private set; }

        public void Fail(string message) => Error ??= message;

        public string? Id(string name)
        {
            var text = Text(name);
            if (text is not null && !HttpResults.IsValidId(text))
            {
                Fail($"{name} must be 1 to 128 printable characters");
            }

            return text;
        }

        private static string Bounds => $"{EarliestTime:yyyy-MM-dd} .. {LatestTime.AddDays(-1):yyyy-MM-dd}";

        public DateTimeOffset? Time(string name)
        {
            var text = Text(name);
            if (text is null)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                if (at >= EarliestTime && at < LatestTime)
                {
                    return at;
                }

                Fail($"{name} is '{text}', outside {Bounds}");
                return null;
            }

            Fail($"{name} is '{text}', not an ISO 8601 time (e.g. 2026-01-05T09:00:00Z)");
            return null;
        }

        public DateOnly Day(string name, DateOnly fallback)
        {
            var text = Text(name);
            if (text is null)
            {
                return fallback;
            }

            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                if (start >= EarliestTime && start < LatestTime)
                {
                    return day;
                }

                Fail($"{name} is '{text}', outside {Bounds}");
                return fallback;
            }

            Fail($"{name} is '{text}', not a date (yyyy-MM-dd)");
            return fallback;
        }

        public int Interval(int fallback = 15)
        {
            var minutes = (int)Number("intervalMinutes", fallback, min: 1, max: 60, integer: true);
            if (Error is null && !IntervalReport.AllowedIntervals.Contains(minutes))
            {
                Fail($"intervalMinutes is {minutes}; it must be 15, 30 or 60");
            }

            return IntervalReport.AllowedIntervals.Contains(minutes) ? minutes : fallback;
        }

        public string Format()
        {
            var format = Text("format")?.ToLowerInvariant() ?? "json";
            if (format is not ("json" or "csv"))
            {
                Fail($"format is '{format}'; it must be json or csv");
            }

            return format;
        }

        public double Required(string name, double min, double max, bool exclusiveMin = false)
        {
            if (Text(name) is null)
            {
                Fail($"{name} is required");
                return 1;
            }

            return Number(name, 1, min, max, exclusive: false, exclusiveMin: exclusiveMin);
        }

        public double Number(string name, double fallback, double min, double max, bool exclusive = false, bool integer = false, bool exclusiveMin = false)
        {
            var text = Text(name);
            if (text is null)
            {
                return fallback;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                Fail($"{name} is '{text}', not a number");
                return fallback;
            }

            var tooLow = exclusive || exclusiveMin ? value <= min : value < min;
            var tooHigh = exclusive ? value >= max : value > max;
            if (tooLow || tooHigh)
            {
                var lower = exclusive || exclusiveMin ? $"above {min.ToString(CultureInfo.InvariantCulture)}" : $"at least {min.ToString(CultureInfo.InvariantCulture)}";
                var upper = exclusive ? $"below {max.ToString(CultureInfo.InvariantCulture)}" : $"at most {max.ToString(CultureInfo.InvariantCulture)}";
                Fail(max == double.MaxValue ? $"{name} is {text}; it must be {lower}" : $"{name} is {text}; it must be {lower} and {upper}");
                return fallback;
            }

            if (integer && value != Math.Floor(value))
            {
                Fail($"{name} is {text}; it must be a whole number");
                return fallback;
            }

            return value;
        }

        private string? Text(string name)
        {
            var value = values[name];
            return value.Count == 0 || string.IsNullOrWhiteSpace(value[0]) ? null : value[0]!.Trim();
        }
    }
}
