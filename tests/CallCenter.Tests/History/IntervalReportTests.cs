using CallCenter.Domain.History;
using CallCenter.Model;

namespace CallCenter.Tests.History;

public sealed class IntervalReportTests
{
    private static readonly DateTimeOffset Nine = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static CallRecord Answered(string id, DateTimeOffset at, double wait, double talk, double wrap = 0, string agent = "a1", string queue = "q1", string site = "north", int? survey = null, int revision = 1) => new()
    {
        CallId = id,
        Revision = revision,
        QueueId = queue,
        SiteId = site,
        AgentId = agent,
        Outcome = CallOutcome.Answered,
        ArrivedAt = at,
        FirstEnqueuedAt = at,
        ConnectedAt = at.AddSeconds(wait),
        EndedAt = at.AddSeconds(wait + talk),
        WaitSeconds = wait,
        TalkSeconds = talk,
        WrapUpSeconds = wrap,
        SurveyRating = survey,
    };

    private static CallRecord Abandoned(string id, DateTimeOffset at, double wait, string queue = "q1", string site = "north") => new()
    {
        CallId = id,
        QueueId = queue,
        SiteId = site,
        Outcome = CallOutcome.Abandoned,
        ArrivedAt = at,
        FirstEnqueuedAt = at,
        EndedAt = at.AddSeconds(wait),
        WaitSeconds = wait,
    };

    [Fact]
    public void QueueRow_ComputesEveryFigure_AsDocumented()
    {
        var records = new[]
        {
            Answered("c1", Nine.AddMinutes(1), wait: 10, talk: 100, wrap: 20, agent: "a1", survey: 5),
            Answered("c2", Nine.AddMinutes(2), wait: 30, talk: 200, wrap: 40, agent: "a2", survey: 2),
            Answered("c3", Nine.AddMinutes(3), wait: 20, talk: 60, wrap: 0, agent: "a1"),
            Abandoned("c4", Nine.AddMinutes(4), wait: 50),
            Abandoned("c5", Nine.AddMinutes(5), wait: 3), // short abandon: neither offered nor abandoned
            Answered("c6", Nine.AddMinutes(5), wait: 5, talk: 50) with { Outcome = CallOutcome.TransferredOut }, // answered, then transferred out
            Abandoned("c7", Nine.AddMinutes(6), wait: 40) with { Outcome = CallOutcome.CallbackScheduled }, // neither answered nor abandoned
        };

        var row = IntervalReport.Build(records, 15, _ => 20).Single(r => r.QueueId == "q1");

        Assert.Equal(Nine, row.IntervalStart);
        Assert.Equal(6, row.Offered);
        Assert.Equal(4, row.Answered);
        Assert.Equal(1, row.Abandoned);
        Assert.Equal(1, row.ShortAbandoned);
        Assert.Equal(1, row.OtherOutcomes);
        Assert.Equal(3, row.AnsweredWithinThreshold); // waits 10, 20 and 5 are within 20 s; 30 is not
        Assert.Equal(3.0 / 6, row.ServiceLevel!.Value, 9);
        Assert.Equal((10 + 30 + 20 + 5) / 4.0, row.AsaSeconds!.Value, 9);
        Assert.Equal((120 + 240 + 60 + 50) / 4.0, row.AhtSeconds!.Value, 9);
        Assert.Equal(2, row.AgentsHandling);
        Assert.Null(row.Occupancy); // no agent state spans given: occupancy is not derived from calls
        Assert.Equal(2, row.Surveys);
        Assert.Equal(3.5, row.AverageSurveyScore!.Value, 9);
    }

    [Theory]
    [InlineData(15, 4)]
    [InlineData(30, 2)]
    [InlineData(60, 1)]
    public void Calls_AreBucketedByArrival_InTheChosenInterval(int minutes, int intervals)
    {
        var records = Enumerable.Range(0, 4).Select(i => Answered($"c{i}", Nine.AddMinutes((15 * i) + 14), 1, 10)).ToList();

        var rows = IntervalReport.Build(records, minutes, _ => 20).Where(r => r.QueueId is not null).ToList();

        Assert.Equal(intervals, rows.Count);
        Assert.All(rows, row => Assert.Equal(0, row.IntervalStart.Minute % minutes));
        Assert.Equal(4, rows.Sum(r => r.Offered));
    }

    [Fact]
    public void SiteRows_SumEveryQueueOfTheSite_AndUseEachQueuesThreshold()
    {
        var records = new[]
        {
            Answered("c1", Nine, wait: 25, talk: 10, queue: "fast"),
            Answered("c2", Nine, wait: 25, talk: 10, queue: "slow"),
            Answered("c3", Nine, wait: 25, talk: 10, queue: "slow", site: "south"),
        };

        var rows = IntervalReport.Build(records, 60, queue => queue == "slow" ? 30 : 20);
        var north = rows.Single(r => r.QueueId is null && r.SiteId == "north");

        Assert.Equal(2, north.Offered);
        Assert.Equal(0.5, north.ServiceLevel);
        Assert.Equal(5, rows.Count); // three queue-site rows, two site rows
    }

    [Fact]
    public void Revisions_OfOneCall_CountOnce_TheLatestWins()
    {
        var records = new[]
        {
            Answered("c1", Nine, 5, 60),
            Answered("c1", Nine, 5, 60, wrap: 30, survey: 4, revision: 3),
            Answered("c1", Nine, 5, 60, survey: 4, revision: 2),
            Answered("c1", Nine, 5, 60), // a retried write of revision 1
        };

        var row = IntervalReport.Build(records, 15, _ => 20).Single(r => r.QueueId == "q1");

        Assert.Equal(1, row.Offered);
        Assert.Equal(90, row.AhtSeconds);
        Assert.Equal(4, row.AverageSurveyScore);
    }

    [Fact]
    public void EmptyFigures_AreNull_NotZero()
    {
        var row = IntervalReport.Build([Abandoned("c1", Nine, 60)], 15, _ => 20).Single(r => r.QueueId == "q1");

        Assert.Null(row.AsaSeconds);
        Assert.Null(row.AhtSeconds);
        Assert.Null(row.Occupancy);
        Assert.Null(row.AverageSurveyScore);
        Assert.Equal(0, row.ServiceLevel);
    }

    private static AgentStateSpan Span(PresenceState state, DateTimeOffset from, double seconds, string agent = "a1", string site = "north") => new()
    {
        AgentId = agent,
        SiteId = site,
        State = state,
        From = from,
        To = from.AddSeconds(seconds),
    };

    [Fact]
    public void Occupancy_IsHandlingOverHandlingPlusAvailable_NotReadyAndLoggedOutExcluded()
    {
        var spans = new[]
        {
            Span(PresenceState.Available, Nine, 300),
            Span(PresenceState.Reserved, Nine.AddSeconds(300), 10),
            Span(PresenceState.Busy, Nine.AddSeconds(310), 170),
            Span(PresenceState.WrapUp, Nine.AddSeconds(480), 20),
            Span(PresenceState.NotReady, Nine.AddSeconds(500), 400), // counts in neither
            Span(PresenceState.Available, Nine, 100, agent: "a2"),
            Span(PresenceState.LoggedOut, Nine.AddSeconds(100), 800, agent: "a2"), // never written by the grain; still ignored
        };

        Assert.Equal(200 / 600.0, IntervalReport.Occupancy(spans, Nine, Nine.AddMinutes(15))!.Value, 9);
    }

    [Fact]
    public void Occupancy_ClipsSpansThatCrossTheIntervalEdges()
    {
        var spans = new[]
        {
            Span(PresenceState.Busy, Nine.AddMinutes(-10), 15 * 60), // 08:50–09:05: 5 minutes inside
            Span(PresenceState.Available, Nine.AddMinutes(5), 5 * 60), // 09:05–09:10: inside
            Span(PresenceState.WrapUp, Nine.AddMinutes(10), 30 * 60), // 09:10–09:40: 5 minutes inside
            Span(PresenceState.Available, Nine.AddMinutes(-30), 10 * 60), // 08:30–08:40: outside
        };

        Assert.Equal(10 / 15.0, IntervalReport.Occupancy(spans, Nine, Nine.AddMinutes(15))!.Value, 9);
        Assert.Equal(1.0, IntervalReport.Occupancy(spans, Nine.AddMinutes(15), Nine.AddMinutes(30))!.Value, 9);
    }

    [Fact]
    public void Occupancy_WithoutHandlingOrAvailableTime_IsNull()
    {
        Assert.Null(IntervalReport.Occupancy([], Nine, Nine.AddMinutes(15)));
        Assert.Null(IntervalReport.Occupancy([Span(PresenceState.NotReady, Nine, 900)], Nine, Nine.AddMinutes(15)));
    }

    [Fact]
    public void Rows_TakeTheirSitesOccupancy_FromSpans_OnSiteAndQueueRows()
    {
        var records = new[]
        {
            Answered("c1", Nine.AddMinutes(1), wait: 5, talk: 60, queue: "q1"),
            Answered("c2", Nine.AddMinutes(2), wait: 5, talk: 60, queue: "q2", agent: "a2"),
            Answered("c3", Nine.AddMinutes(3), wait: 5, talk: 60, site: "south", agent: "a3"),
        };
        var spans = new[]
        {
            Span(PresenceState.Available, Nine, 600),
            Span(PresenceState.Busy, Nine.AddMinutes(10), 300),
            Span(PresenceState.Available, Nine, 900, agent: "a2"), // idle all interval: lowers the site's occupancy
            Span(PresenceState.Busy, Nine.AddMinutes(15), 60), // next interval
        };

        var rows = IntervalReport.Build(records, 15, _ => 20, spans: spans);

        Assert.All(rows.Where(r => r.SiteId == "north"), row => Assert.Equal(300 / 1800.0, row.Occupancy!.Value, 9));
        Assert.Equal(3, rows.Count(r => r.SiteId == "north")); // q1, q2 and the site row
        Assert.Null(rows.Single(r => r.SiteId == "south" && r.QueueId is null).Occupancy); // no spans of that site
    }

    [Fact]
    public void IntervalOtherThan15_30_60_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => IntervalReport.Build([], 20, _ => 20));

    [Fact]
    public void Csv_QuotesAsRfc4180()
    {
        var csv = Csv.Write(["a", "b,c"], [new object?[] { "plain", "x,\"y\"\nz" }, new object?[] { null, 0.5 }]);

        Assert.Equal("a,\"b,c\"\r\nplain,\"x,\"\"y\"\"\nz\"\r\n,0.5\r\n", csv);
    }

    [Fact]
    public async Task MemoryHistory_KeepsTheNewestRecords_UpToItsCapacity()
    {
        var history = new InMemoryCallHistory(capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            await history.AppendAsync(Answered($"c{i}", Nine.AddMinutes(i), 1, 1));
        }

        var all = await history.QueryAsync(new CallQuery { From = Nine, To = Nine.AddHours(1) });

        Assert.Equal(["c2", "c3", "c4"], all.Select(r => r.CallId));
    }

    [Fact]
    public void Query_FiltersByRangeTenantQueueAgentSite()
    {
        var record = Answered("c1", Nine, 1, 1, agent: "a7", queue: "q9", site: "west") with { TenantId = "acme" };
        var query = new CallQuery { From = Nine, To = Nine.AddMinutes(1) };

        Assert.True(query.Matches(record));
        Assert.False((query with { To = Nine }).Matches(record));
        Assert.False((query with { TenantId = "other" }).Matches(record));
        Assert.True((query with { TenantId = "acme", QueueId = "q9", AgentId = "a7", SiteId = "west" }).Matches(record));
        Assert.False((query with { AgentId = "a8" }).Matches(record));
        Assert.False((query with { SiteId = "north" }).Matches(record));
    }

    [Fact]
    public void Record_RoundTripsThroughJson()
    {
        var record = Answered("c1", Nine, 5, 60, survey: 3) with { Timeline = [new CallEvent(Nine, CallEventKind.Arrived, "800"), new CallEvent(Nine.AddSeconds(65), CallEventKind.Ended, "Answered: x", "a1", "q1")], Dispositions = new Dictionary<string, string> { ["a1"] = "sale" } };

        var back = CallRecord.FromJson(record.ToJson());

        Assert.Equal(record.ToJson(), back.ToJson());
        Assert.Equal(CallEventKind.Ended, back.Timeline[1].Kind);
    }

    [Fact]
    public void Forecast_IsTheSeasonalAverage_WithErlangCStaffing()
    {
        // Two past Mondays: 100 and 60 calls arrived between 09:00 and 09:30, each handled in 180 s.
        var day = new DateOnly(2026, 1, 19);
        var records = new List<CallRecord>();
        var mondays = new[] { (Week: 1, Calls: 100), (Week: 2, Calls: 60) };
        foreach (var (week, calls) in mondays)
        {
            var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero).AddDays(-7 * week);
            records.AddRange(Enumerable.Range(0, calls).Select(i => Answered($"w{week}-{i}", start.AddSeconds(i * 10), 5, 180)));
        }

        var forecast = Forecast.NextDay(records, day, 30, weeks: 2, targetServiceLevel: 0.8, thresholdSeconds: 20, shrinkage: 0.3, defaultAhtSeconds: 300);
        var nine = forecast.Single(i => i.IntervalStart.Hour == 9 && i.IntervalStart.Minute == 0);

        Assert.Equal(48, forecast.Count);
        Assert.Equal(80, nine.Calls);
        Assert.Equal(180, nine.AhtSeconds);
        Assert.Equal(CallCenter.Domain.Staffing.ErlangC.AgentsFor(80, 1800, 180, 0.8, 20).Agents, nine.Agents);
        Assert.Equal(CallCenter.Domain.Staffing.ErlangC.WithShrinkage(nine.Agents, 0.3), nine.AgentsWithShrinkage);
        Assert.All(forecast.Where(i => i != nine), i => Assert.Equal(0, i.Agents));
    }
}
