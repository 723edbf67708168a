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
        var older = Notice(sequence: 2);
        var newer = Notice(sequence: 3);

        Assert.True(order.PassIfNewer(newer, passed.Add));
        Assert.False(order.PassIfNewer(older, passed.Add));
        Assert.False(order.PassIfNewer(newer, passed.Add));

        Assert.Equal([newer.Call], passed);
    }

    [Fact]
    public void PassIfNewer_NoticesInOrder_AreAllPassed()
    {
        var order = new CallNoticeOrder();
        var passed = new List<CallSnapshot>();

        foreach (var sequence in new[] { 1L, 2L, 5L })
        {
            order.PassIfNewer(Notice(sequence), passed.Add);
        }

        Assert.Equal([1L, 2L, 5L], passed.Select(call => call.Sequence));
    }

    [Fact]
    public void PassIfNewer_ARenewalSnapshotOfTheSameSequence_IsDropped()
    {
        var order = new CallNoticeOrder();
        var passed = new List<CallSnapshot>();
        var notice = Notice(sequence: 4);

        Assert.True(order.PassIfNewer(notice, passed.Add));
        Assert.False(order.PassIfNewer(CallNotice.Of(notice.Call), passed.Add));

        Assert.Single(passed);
    }

    private static CallNotice Notice(long sequence) => CallNotice.Of(new CallSnapshot { CallId = "c1", Sequence = sequence });
}
