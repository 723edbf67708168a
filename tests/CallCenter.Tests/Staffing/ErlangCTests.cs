using CallCenter.Domain.Staffing;

namespace CallCenter.Tests.Staffing;

public sealed class ErlangCTests
{
    [Theory]
    [InlineData(13, 0.2853, 0.7956, 17.1)]
    [InlineData(14, 0.1741, 0.8884, 7.8)]
    public void Evaluate_ReproducesTheWorkedCasesOfTheDesign(int agents, double pWait, double serviceLevel, double asa)
    {
        var result = ErlangC.Evaluate(agents, callsPerInterval: 100, intervalSeconds: 1800, handleSeconds: 180, thresholdSeconds: 20);
        Assert.Equal(pWait, result.ProbabilityOfWaiting, 3);
        Assert.Equal(serviceLevel, result.ServiceLevel, 3);
        Assert.Equal(asa, result.AverageSpeedOfAnswerSeconds, 1);
        Assert.Equal(10.0 / agents, result.Occupancy, 6);
    }

    [Fact]
    public void AgentsFor_FindsTheFewestMeetingTheTarget()
    {
        Assert.Equal(14, ErlangC.AgentsFor(100, 1800, 180, 0.8, 20).Agents);
        Assert.Equal(13, ErlangC.AgentsFor(100, 1800, 180, 0.79, 20).Agents);
    }

    [Fact]
    public void ProbabilityOfWaiting_StaysStableForHundredsOfAgents()
    {
        var result = ErlangC.AgentsFor(callsPerInterval: 30_000, intervalSeconds: 1800, handleSeconds: 300, targetServiceLevel: 0.8, thresholdSeconds: 20);
        Assert.InRange(result.Agents, 5001, 5200);
        Assert.InRange(result.ProbabilityOfWaiting, 0, 1);
        Assert.False(double.IsNaN(result.AverageSpeedOfAnswerSeconds));
    }

    [Fact]
    public void Evaluate_Overloaded_WaitsAlways() =>
        Assert.Equal(1, ErlangC.Evaluate(10, 100, 1800, 180, 20).ProbabilityOfWaiting);

    [Fact]
    public void WithShrinkage_ScalesUp() => Assert.Equal(20, ErlangC.WithShrinkage(14, 0.3));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void Evaluate_BadInterval_Throws(double interval) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.Evaluate(5, 10, interval, 180, 20));
}
