using CallCenter.Grains;
using CallCenter.Grains.History;
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
