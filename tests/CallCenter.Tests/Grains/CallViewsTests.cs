using CallCenter.Domain.Lifecycle;
using CallCenter.Grains.Grains;
using CallCenter.Model;

namespace CallCenter.Tests.Grains;

public sealed class CallViewsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static CallGrainState LongCall()
    {
        var state = new CallGrainState
        {
            Arrival = new CallArrival { SiteId = "north" },
            State = CallState.Ended,
            Outcome = CallOutcome.Answered,
            EndedAt = T0.AddHours(2),
            HistoryRevision = 1,
        };
        state.Events.Add(new CallEvent(T0, CallEventKind.Arrived));
        state.Events.Add(new CallEvent(T0.AddSeconds(5), CallEventKind.Accepted, AgentId: "amy"));
        state.Events.Add(new CallEvent(T0.AddSeconds(6), CallEventKind.Connected, AgentId: "amy"));
        for (var i = 0; i < CallTimeline.MaxEntries; i++)
        {
            state.Events.Add(new CallEvent(T0.AddSeconds(10 + i), i % 2 == 0 ? CallEventKind.Held : CallEventKind.Resumed, AgentId: "amy"));
        }

        return state;
    }

    [Fact]
    public void Record_OfACallWhoseEarlyEntriesWereDropped_KeepsArrivalConnectionAndHandlers()
    {
        var record = CallViews.Record("c1", LongCall(), T0.AddHours(3));

        Assert.Equal(T0, record.ArrivedAt);
        Assert.Equal(T0.AddSeconds(6), record.ConnectedAt);
        Assert.Equal("amy", record.AgentId);
        Assert.Equal(["amy"], record.HandledBy);
        Assert.Equal(CallTimeline.MaxEntries, record.Timeline.Count);
        Assert.Equal(3, record.TimelineDropped);
    }

    [Fact]
    public void Notice_ListsWhatChangedSinceASequence_WithoutTheTimeline()
    {
        var state = LongCall();
        var before = state.Events.Count;
        state.Events.Add(new CallEvent(T0.AddHours(2), CallEventKind.Ended, "Answered: hung up by caller"));

        var notice = CallViews.Notice("c1", state, before);

        Assert.Equal(before + 1, notice.Sequence);
        Assert.Equal(CallEventKind.Ended, Assert.Single(notice.Changes).Kind);
        Assert.Empty(notice.Call.Timeline);
        Assert.Equal(notice.Sequence, notice.Call.Sequence);
        Assert.Equal(CallTimeline.MaxEntries, CallViews.Snapshot("c1", state).Timeline.Count);
    }
}
