using CallCenter.Domain.History;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;
using CommandStatus = CallCenter.Model.CommandStatus;

namespace CallCenter.Tests.History;

/// <summary>The call grain writes its record on its outcome, amends it later, and never loses it to a store that is briefly down.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CallHistoryClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AnsweredCall_WritesOneRecord_WithTimelineWaitAndTalk()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var call = await scenario.CallAsync("q");
        scenario.Advance(TimeSpan.FromSeconds(7));
        var offer = await agent.NextOfferAsync("offer");
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, offer.Epoch)).Status);
        scenario.Advance(TimeSpan.FromSeconds(95));
        await call.HangUpAsync(CallParty.Caller);

        var record = Assert.Single(await fixture.History.ForCallAsync(call.GetPrimaryKeyString()));
        Assert.Equal(CallOutcome.Answered, record.Outcome);
        Assert.Equal(scenario.Id("q"), record.QueueId);
        Assert.Equal(agent.AgentId, record.AgentId);
        Assert.Equal("north", record.SiteId);
        Assert.Equal(7, record.WaitSeconds, 3);
        Assert.Equal(95, record.TalkSeconds, 3);
        Assert.Equal(1, record.Revision);
        Assert.Equal(CallEventKind.Arrived, record.Timeline[0].Kind);
        Assert.Equal(CallEventKind.Ended, record.Timeline[^1].Kind);
        Assert.Contains(record.Timeline, e => e.Kind == CallEventKind.Connected);
    }

    [Fact]
    public async Task IntervalOccupancy_ComesFromAgentStates_Available30Busy30ThenNotReady_IsOneHalf()
    {
        var scenario = new Scenario(fixture);
        var site = scenario.Id("site"); // a site of its own: no other test's agents in its occupancy
        var now = fixture.Clock.GetUtcNow();
        scenario.Advance(IntervalReport.IntervalStart(now, 15).AddMinutes(15) - now); // start on an interval boundary
        var intervalStart = fixture.Clock.GetUtcNow();
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a", site: site); // Available from the boundary
        scenario.Advance(TimeSpan.FromSeconds(30));
        var call = await scenario.CallAsync("q", site: site);
        var offer = await agent.NextOfferAsync("offer");
        Assert.Equal(CommandStatus.Ok, (await call.AcceptAsync(agent.AgentId, offer.Epoch)).Status); // Busy
        scenario.Advance(TimeSpan.FromSeconds(30));
        await call.HangUpAsync(CallParty.Caller); // no wrap-up: the agent becomes Available at once
        await Eventually.HoldsAsync(
            async () => (await scenario.Agent(agent.AgentId).GetStatusAsync()).Presence.State == PresenceState.Available,
            "the agent learning that the call ended");
        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).SetNotReadyAsync("break")).Status);
        var range = new AgentStateQuery { From = intervalStart, To = intervalStart.AddMinutes(15), SiteId = site };
        await Eventually.HoldsAsync(
            async () => (await fixture.History.QuerySpansAsync(range)).Any(span => span.State == PresenceState.Busy),
            "the agent's Busy span reaching the history");

        var spans = await fixture.History.QuerySpansAsync(range);
        var records = await fixture.History.QueryAsync(new CallQuery { From = range.From, To = range.To, SiteId = site });
        var rows = IntervalReport.Build(records, 15, _ => 20, spans: spans);

        var siteRow = rows.Single(row => row.SiteId == site && row.QueueId is null);
        Assert.Equal(intervalStart, siteRow.IntervalStart);
        Assert.Equal(0.5, siteRow.Occupancy!.Value, 6);
        Assert.Equal(0.5, rows.Single(row => row.QueueId == scenario.Id("q")).Occupancy!.Value, 6);
        Assert.Equal(30, spans.Where(span => span.State == PresenceState.Available).Sum(span => span.SecondsWithin(range.From, range.To)), 3);
        Assert.DoesNotContain(spans, span => span.State == PresenceState.NotReady); // still open: not written yet, and never counted
        // The old call-derived figure: handle seconds / (agents handling × interval) = 30 / 900.
        var callDerived = records.Sum(record => record.TalkSeconds + record.WrapUpSeconds) / (siteRow.AgentsHandling * 15 * 60.0);
        Assert.Equal(30 / 900.0, callDerived, 6);
        Assert.NotEqual(siteRow.Occupancy!.Value, callDerived, 3);
    }

    [Fact]
    public async Task StoreUnavailable_APresenceChangeStillHappens_TheSpanIsLost()
    {
        var scenario = new Scenario(fixture);
        var site = scenario.Id("site");
        var agent = await scenario.AgentAsync("a", site: site);
        scenario.Advance(TimeSpan.FromSeconds(20));
        fixture.History.Unavailable = true;
        try
        {
            Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).SetNotReadyAsync("break")).Status);
            Assert.Equal(PresenceState.NotReady, (await scenario.AgentStatusAsync(agent)).Presence.State);
        }
        finally
        {
            fixture.History.Unavailable = false;
        }

        scenario.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).SetAvailableAsync()).Status);
        var all = new AgentStateQuery { From = DateTimeOffset.MinValue, To = DateTimeOffset.MaxValue, SiteId = site };
        await Eventually.HoldsAsync(async () => (await fixture.History.QuerySpansAsync(all)).Count > 0, "the NotReady span reaching the history");

        var span = Assert.Single(await fixture.History.QuerySpansAsync(all)); // the Available span written while the store was down is gone
        Assert.Equal(PresenceState.NotReady, span.State);
        Assert.Equal(20, (span.To - span.From).TotalSeconds, 3);
    }

    [Fact]
    public async Task SurveyAfterTheEnd_AmendsTheRecord_AndQueriesCountTheCallOnce()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        await call.HangUpAsync(CallParty.Agent);
        Assert.Equal(CommandStatus.Ok, (await call.RecordSurveyAsync(4)).Status);
        Assert.Equal(CommandStatus.AlreadyDone, (await call.RecordSurveyAsync(4)).Status);

        var records = await fixture.History.QueryAsync(new CallQuery { From = DateTimeOffset.MinValue, To = DateTimeOffset.MaxValue, QueueId = scenario.Id("q") });

        var record = Assert.Single(records);
        Assert.Equal(2, record.Revision);
        Assert.Equal(4, record.SurveyRating);
        Assert.Equal(CallEventKind.SurveyAnswered, record.Timeline[^1].Kind);
    }

    [Fact]
    public async Task AgentWrapUp_IsAddedToTheRecord()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q", queue => queue with { WrapUpSeconds = 60 });
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        await call.HangUpAsync(CallParty.Agent);
        scenario.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(agent.AgentId).CompleteWrapUpAsync()).Status);

        await Eventually.HoldsAsync(
            async () => (await fixture.History.ForCallAsync(call.GetPrimaryKeyString())).Any(r => r.WrapUpSeconds > 0),
            "the call record learning the agent's wrap-up");
        var latest = CallRecord.Latest(await fixture.History.ForCallAsync(call.GetPrimaryKeyString())).Single();
        Assert.Equal(12, latest.WrapUpSeconds, 3);
    }

    [Fact]
    public async Task AbandonedInQueue_IsRecorded_WithItsWait()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q", site: "south");
        scenario.Advance(TimeSpan.FromSeconds(42));
        await call.HangUpAsync(CallParty.Caller);

        var record = Assert.Single(await fixture.History.ForCallAsync(call.GetPrimaryKeyString()));
        Assert.Equal(CallOutcome.Abandoned, record.Outcome);
        Assert.Null(record.ConnectedAt);
        Assert.Equal(42, record.WaitSeconds, 3);
        Assert.Equal("south", record.SiteId);
    }

    [Fact]
    public async Task StoreUnavailable_AtTheEnd_TheRecordIsKeptAndWrittenLater()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a");
        var (call, _) = await scenario.AnsweredCallAsync(agent);
        fixture.History.Unavailable = true;
        try
        {
            Assert.Equal(CommandStatus.Ok, (await call.HangUpAsync(CallParty.Caller)).Status);
            Assert.Empty(await fixture.History.ForCallAsync(call.GetPrimaryKeyString()));
        }
        finally
        {
            fixture.History.Unavailable = false;
        }

        // The next write the call makes (here a survey; otherwise its retry timer) carries the pending record.
        Assert.Equal(CommandStatus.Ok, (await call.RecordSurveyAsync(5)).Status);

        var record = CallRecord.Latest(await fixture.History.ForCallAsync(call.GetPrimaryKeyString())).Single();
        Assert.Equal(CallOutcome.Answered, record.Outcome);
        Assert.Equal(5, record.SurveyRating);
    }

    [Fact]
    public async Task StoreUnavailable_TheRetryTimerWritesTheRecord()
    {
        var scenario = new Scenario(fixture);
        await scenario.QueueAsync("q");
        var call = await scenario.CallAsync("q");
        fixture.History.Unavailable = true;
        try
        {
            await call.HangUpAsync(CallParty.Caller);
            Assert.Empty(await fixture.History.ForCallAsync(call.GetPrimaryKeyString()));
        }
        finally
        {
            fixture.History.Unavailable = false;
        }

        await Eventually.HoldsAsync(
            async () => (await fixture.History.ForCallAsync(call.GetPrimaryKeyString())).Count == 1,
            "the retry timer writing the pending record",
            seconds: (int)CallGrainRetry.Every.TotalSeconds * 3);
    }
}

internal static class CallGrainRetry
{
    public static TimeSpan Every => CallCenter.Grains.Grains.CallGrain.HistoryRetryEvery;
}
