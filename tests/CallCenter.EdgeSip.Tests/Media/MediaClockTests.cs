using CallCenter.EdgeSip.Media;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.EdgeSip.Tests.Media;

public sealed class MediaClockTests
{
    private sealed class Counter : IMediaClockListener
    {
        public List<long> Ticks { get; } = [];

        public void OnTick(long tick) => Ticks.Add(tick);
    }

    [Fact]
    public async Task Ticks_EveryTwentyMilliseconds_InOrder()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var counter = new Counter();
        clock.Add(counter);

        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Empty(counter.Ticks);
        time.Advance(TimeSpan.FromMilliseconds(1));
        time.AdvanceFrames(2);
        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], counter.Ticks);
        Assert.Equal(8, clock.Ticks);
    }

    [Fact]
    public async Task RemovedListener_IsNotCalledAgain()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var kept = new Counter();
        var removed = new Counter();
        clock.Add(kept);
        clock.Add(removed);

        time.AdvanceFrames(2);
        clock.Remove(removed);
        time.AdvanceFrames(2);

        Assert.Equal(4, kept.Ticks.Count);
        Assert.Equal(2, removed.Ticks.Count);
    }

    [Fact]
    public async Task ThrowingListener_DoesNotStopTheOthers()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var counter = new Counter();
        clock.Add(new Throwing());
        clock.Add(counter);

        time.AdvanceFrames(3);

        Assert.Equal(3, counter.Ticks.Count);
    }

    private sealed class Throwing : IMediaClockListener
    {
        public void OnTick(long tick) => throw new InvalidOperationException("broken listener");
    }
}
