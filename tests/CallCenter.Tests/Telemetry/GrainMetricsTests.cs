using CallCenter.Grains.Telemetry;
using CallCenter.Model;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Telemetry;

/// <summary>The grains' OpenTelemetry instruments, read with a <see cref="System.Diagnostics.Metrics.MeterListener"/> on the in-process cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainMetricsTests(ClusterFixture fixture)
{
    private static readonly HashSet<string> AllowedLabels = ["outcome", "queue", "site", "state", "result"];

    [Fact]
    public async Task AnsweredAndAbandonedCalls_AreCountedByOutcomeQueueAndSite_WithWaitsAndRoutingLatency_AndNoIdLabels()
    {
        using var metrics = new MetricCapture(CallCenterMetrics.MeterName);
        var scenario = new Scenario(fixture);
        var site = scenario.Id("site");
        var queue = await scenario.QueueAsync("q");
        var agent = await scenario.AgentAsync("a", site);

        var answered = await scenario.CallAsync("q", site);
        var offer = await agent.NextOfferAsync("offer of the call to answer");
        Assert.Equal(CommandStatus.Ok, (await answered.AcceptAsync(agent.AgentId, offer.Epoch)).Status);
        scenario.Advance(TimeSpan.FromSeconds(30));
        await answered.HangUpAsync(CallParty.Caller);
        var abandoned = await scenario.CallAsync("q", site);
        scenario.Advance(TimeSpan.FromSeconds(12));
        await abandoned.HangUpAsync(CallParty.Caller);

        var ended = metrics.Of(CallCenterMetrics.CallsEndedName, "queue", queue.Id).ToList();
        Assert.Equal(2, ended.Count);
        Assert.Contains(ended, m => m.Tags["outcome"] == "answered" && m.Tags["site"] == site && m.Value == 1);
        Assert.Contains(ended, m => m.Tags["outcome"] == "abandoned" && m.Tags["site"] == site && m.Value == 1);
        Assert.Equal(2, metrics.Of(CallCenterMetrics.CallsArrivedName, "site", site).Sum(m => m.Value));

        var waits = metrics.Of(CallCenterMetrics.QueueWaitName, "queue", queue.Id).ToList();
        Assert.Contains(waits, m => m.Tags["result"] == "answered" && m.Tags["site"] == site);
        var abandonedWait = Assert.Single(waits, m => m.Tags["result"] == "abandoned");
        Assert.Equal(12, abandonedWait.Value, 3);
        var routed = metrics.Of(CallCenterMetrics.RoutingLatencyName, "queue", queue.Id).ToList();
        Assert.NotEmpty(routed);
        Assert.All(routed, m => Assert.Equal(site, m.Tags["site"]));

        // The queue reports its 15-minute service level about every second; the gauge reads the last report.
        await Eventually.HoldsAsync(
            () =>
            {
                metrics.Observe();
                return Task.FromResult(metrics.Of(CallCenterMetrics.ServiceLevelName, "queue", queue.Id).Any(m => m.Tags["site"] == site && m.Value is >= 0 and <= 1));
            },
            "the queue's service level for the site in the gauge");

        var ids = new HashSet<string>([answered.GetPrimaryKeyString(), abandoned.GetPrimaryKeyString(), agent.AgentId]);
        foreach (var measurement in metrics.Measurements.Where(m => m.Tags.Values.Contains(queue.Id) || m.Tags.Values.Contains(site)))
        {
            Assert.Empty(measurement.Tags.Keys.Except(AllowedLabels));
            Assert.DoesNotContain(measurement.Tags.Values, ids.Contains);
        }
    }

    [Fact]
    public async Task AgentsGauge_CountsASitesAgentsByState()
    {
        using var metrics = new MetricCapture(CallCenterMetrics.MeterName);
        var scenario = new Scenario(fixture);
        var site = scenario.Id("site");
        await scenario.QueueAsync("q");
        await scenario.AgentAsync("a", site);
        var notReady = await scenario.AgentAsync("b", site);
        Assert.Equal(CommandStatus.Ok, (await scenario.Agent(notReady.AgentId).SetNotReadyAsync("break")).Status);

        await Eventually.HoldsAsync(
            () =>
            {
                metrics.Observe();
                var latest = metrics.Of(CallCenterMetrics.AgentsName, "site", site)
                    .GroupBy(m => m.Tags["state"])
                    .ToDictionary(group => group.Key, group => group.Last().Value);
                return Task.FromResult(latest.GetValueOrDefault("available") == 1 && latest.GetValueOrDefault("not_ready") == 1
                    && latest.GetValueOrDefault("busy") == 0 && latest.ContainsKey("logged_out"));
            },
            "the site grain counting one available and one not-ready agent");
    }
}
