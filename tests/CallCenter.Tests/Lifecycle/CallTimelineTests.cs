using CallCenter.Domain.Lifecycle;
using CallCenter.Model;

namespace CallCenter.Tests.Lifecycle;

public sealed class CallTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_PastTheCap_KeepsTheLatestEntries_AndCountsThemAll()
    {
        var timeline = new CallTimeline();
        for (var i = 0; i < CallTimeline.MaxEntries + 50; i++)
        {
            timeline.Add(new CallEvent(T0.AddSeconds(i), CallEventKind.DataAttached, $"d{i}"));
        }

        Assert.Equal(CallTimeline.MaxEntries, timeline.Recent.Count);
        Assert.Equal(CallTimeline.MaxEntries + 50, timeline.Count);
        Assert.Equal(50, timeline.Dropped);
        Assert.Equal("d50", timeline.Recent[0].Detail);
        Assert.Equal($"d{CallTimeline.MaxEntries + 49}", timeline.Recent[^1].Detail);
    }

    [Fact]
    public void DroppedEntries_StillTellWhenTheCallArrivedAndConnected_AndWhoHandledIt()
    {
        var timeline = new CallTimeline();
        timeline.Add(new CallEvent(T0, CallEventKind.Arrived));
        timeline.Add(new CallEvent(T0.AddSeconds(5), CallEventKind.Accepted, AgentId: "amy"));
        timeline.Add(new CallEvent(T0.AddSeconds(6), CallEventKind.Connected, AgentId: "amy"));
        for (var i = 0; i < CallTimeline.MaxEntries; i++)
        {
            timeline.Add(new CallEvent(T0.AddSeconds(10 + i), CallEventKind.Held, AgentId: "amy"));
        }

        Assert.DoesNotContain(timeline.Recent, e => e.Kind is CallEventKind.Arrived or CallEventKind.Accepted or CallEventKind.Connected);
        Assert.Equal(T0, timeline.FirstAt);
        Assert.Equal(T0.AddSeconds(6), timeline.FirstConnectedAt);
        Assert.True(timeline.WasAcceptedBy("amy"));
        Assert.True(timeline.WasHandledBy("amy"));
        Assert.False(timeline.WasHandledBy("bob"));
        Assert.Equal("amy", timeline.LastAcceptedBy);
        Assert.Equal("amy", timeline.LastHandler);
    }

    [Fact]
    public void LastAcceptedBy_IsTheLatestAccept_EvenOfAnAgentWhoAcceptedBefore()
    {
        var timeline = CallTimeline.From(
        [
            new CallEvent(T0, CallEventKind.Accepted, AgentId: "amy"),
            new CallEvent(T0.AddSeconds(1), CallEventKind.Accepted, AgentId: "bob"),
            new CallEvent(T0.AddSeconds(2), CallEventKind.Accepted, AgentId: "amy"),
            new CallEvent(T0.AddSeconds(3), CallEventKind.Connected, AgentId: "cat"),
        ]);

        Assert.Equal("amy", timeline.LastAcceptedBy);
        Assert.Equal("cat", timeline.LastHandler);
        Assert.True(timeline.WasHandledBy("cat"));
        Assert.False(timeline.WasAcceptedBy("cat"));
    }

    [Fact]
    public void Since_GivesTheEntriesAfterASequence_AtMostWhatIsKept()
    {
        var timeline = new CallTimeline();
        timeline.Add(new CallEvent(T0, CallEventKind.Arrived));
        timeline.Add(new CallEvent(T0, CallEventKind.EnteredIvr));
        timeline.Add(new CallEvent(T0, CallEventKind.Queued));

        Assert.Equal([CallEventKind.EnteredIvr, CallEventKind.Queued], timeline.Since(1).Select(e => e.Kind));
        Assert.Empty(timeline.Since(3));
        Assert.Equal(3, timeline.Since(-10).Count);
    }
}
