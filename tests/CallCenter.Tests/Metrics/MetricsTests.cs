using CallCenter.Domain.Metrics;

namespace CallCenter.Tests.Metrics;

public sealed class MetricsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Metrics_ComputeServiceLevelAsaAhtAndAbandons()
    {
        var statistics = new QueueStatistics(thresholdSeconds: 20);
        foreach (var site in new[] { "n", "n", "n", "s", "s" })
        {
            statistics.Offered(site);
        }

        statistics.Answered("n", 10, T0);
        statistics.Answered("n", 30, T0);
        statistics.Answered("s", 5, T0);
        statistics.Abandoned("n", 40, T0);
        statistics.Abandoned("s", 3, T0);
        statistics.Handled("n", 100, 20);
        statistics.Handled("s", 200, 0);

        var all = statistics.Metrics("q", null, waiting: 0, longestWait: 0);
        Assert.Equal(5, all.Offered);
        Assert.Equal(3, all.Answered);
        Assert.Equal(2, all.Abandoned);
        Assert.Equal(2.0 / 3, all.ServiceLevel!.Value, 6);
        Assert.Equal(2.0 / 4, all.ServiceLevelWithAbandons!.Value, 6);
        Assert.Equal(15, all.AverageSpeedOfAnswerSeconds!.Value, 6);
        Assert.Equal(160, all.AverageHandleTimeSeconds!.Value, 6);
        var north = statistics.Metrics("q", "n", 0, 0);
        Assert.Equal(3, north.Offered);
        Assert.Equal(0.5, north.ServiceLevel);
    }

    [Fact]
    public void RecentServiceLevel_ForgetsAnswersOlderThanFifteenMinutes()
    {
        var statistics = new QueueStatistics(20);
        statistics.Answered("n", 60, T0);
        statistics.Answered("n", 5, T0.AddMinutes(10));
        Assert.Equal(0.5, statistics.RecentServiceLevel(null, T0.AddMinutes(10)));

        statistics.Answered("n", 5, T0.AddMinutes(16));
        Assert.Equal(1, statistics.RecentServiceLevel("n", T0.AddMinutes(16)));
        Assert.Null(statistics.RecentServiceLevel("s", T0.AddMinutes(16)));
    }

    [Theory]
    [InlineData(0, 5, 180.0, 3, 0)]
    [InlineData(4, 2, 100.0, 0, 250)]
    [InlineData(9, 5, null, 0, 360)]
    public void ExpectedWait_CountsCallsAheadOverServingAgents(int ahead, int agents, double? aht, int idle, double expected) =>
        Assert.Equal(expected, ExpectedWait.Seconds(ahead, agents, aht, idle), 6);
}
