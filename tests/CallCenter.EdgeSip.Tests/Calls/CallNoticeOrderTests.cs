using CallCenter.EdgeSip.Calls;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class CallNoticeOrderTests
{
    [Fact]
    public void PassIfNewer_AnOlderNoticeAfterANewerOne_IsDropped()
    {
        var order = new CallNoticeOrder();
        var passed = new List<CallSnapshot>();
        var older = Snapshot(events: 2);
        var newer = Snapshot(events: 3);

        Assert.True(order.PassIfNewer(newer, passed.Add));
        Assert.False(order.PassIfNewer(older, passed.Add));
        Assert.False(order.PassIfNewer(newer, passed.Add));

        Assert.Equal([newer], passed);
    }

    [Fact]
    public void PassIfNewer_NoticesInOrder_AreAllPassed()
    {
        var order = new CallNoticeOrder();
        var passed = new List<CallSnapshot>();

        foreach (var events in new[] { 1, 2, 5 })
        {
            order.PassIfNewer(Snapshot(events), passed.Add);
        }

        Assert.Equal([1L, 2L, 5L], passed.Select(CallNoticeOrder.VersionOf));
    }

    private static CallSnapshot Snapshot(int events) => new()
    {
        CallId = "c1",
        Timeline = Enumerable.Range(0, events).Select(_ => new CallCenter.Model.CallEvent(DateTimeOffset.UnixEpoch, CallEventKind.Arrived)).ToList(),
    };
}
