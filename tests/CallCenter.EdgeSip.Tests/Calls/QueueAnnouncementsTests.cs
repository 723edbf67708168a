using CallCenter.EdgeSip.Calls;
using CallCenter.Model;

namespace CallCenter.EdgeSip.Tests.Calls;

public sealed class QueueAnnouncementsTests
{
    [Fact]
    public void PromptsFor_ShortWait_SaysLessThanAMinute() =>
        Assert.Equal(
            ["queue-position", "3", "in-queue", "expected-wait", "less-than-a-minute", "callback-offer"],
            QueueAnnouncements.PromptsFor(new QueuePlace(3, 0)));

    [Fact]
    public void PromptsFor_Minutes_AreRoundedUp() =>
        Assert.Equal(
            ["queue-position", "1", "in-queue", "expected-wait", "3", "minutes", "callback-offer"],
            QueueAnnouncements.PromptsFor(new QueuePlace(1, 121)));

    [Fact]
    public void PromptsFor_NumbersOverTwenty_AreReadDigitByDigit() =>
        Assert.Equal(
            ["queue-position", "4", "2", "in-queue", "expected-wait", "2", "5", "minutes", "callback-offer"],
            QueueAnnouncements.PromptsFor(new QueuePlace(42, 25 * 60)));
}
