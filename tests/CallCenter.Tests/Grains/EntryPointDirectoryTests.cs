using CallCenter.Grains;
using CallCenter.Grains.Configuration;
using CallCenter.Model;
using CallCenter.Tests.Configuration;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Tests.Grains;

/// <summary>Calls are queued by their dialled number while the configuration grain's silo is frozen (issue 13).</summary>
[Collection(ClusterCollection.Name)]
public sealed class EntryPointDirectoryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ConfigurationGrainFrozen_NewCallsAreStillQueuedByTheirNumber_AndAChangeIsSeenOnceItAnswers()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var valid = ConfigurationValidatorTests.Valid();
        var configuration = valid with
        {
            Queues = [valid.Queues[0] with { Id = $"q-{suffix}" }, valid.Queues[0] with { Id = $"r-{suffix}" }],
            Agents = [valid.Agents[0] with { Id = $"a-{suffix}" }],
            EntryPoints = [new EntryPoint { DialledNumber = $"8{suffix}", QueueId = $"q-{suffix}" }],
        };
        var grain = fixture.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        Assert.True((await grain.ApplyAsync(configuration)).Applied);
        Assert.Equal($"q-{suffix}", (await ArriveAndEnqueueAsync($"before-{suffix}", $"8{suffix}")).QueueId);
        // Every silo has read the configuration once (a silo that never could has no copy to answer from).
        foreach (var silo in fixture.Cluster.Silos)
        {
            await silo.ServiceProvider.GetRequiredService<EntryPointDirectory>().FindAsync($"8{suffix}");
        }

        fixture.ConfigurationFreeze.Freeze();
        try
        {
            // Before: the enqueue waited on the frozen grain until its silo came back (or Orleans' 30 s timeout).
            var queued = await ArriveAndEnqueueAsync($"frozen-{suffix}", $"8{suffix}").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal($"q-{suffix}", queued.QueueId);
        }
        finally
        {
            fixture.ConfigurationFreeze.Thaw();
        }

        // Answering again, the configuration decides at once: the number now leads to the other queue.
        var moved = configuration with { EntryPoints = [new EntryPoint { DialledNumber = $"8{suffix}", QueueId = $"r-{suffix}" }] };
        Assert.True((await grain.ApplyAsync(moved)).Applied);
        Assert.Equal($"r-{suffix}", (await ArriveAndEnqueueAsync($"after-{suffix}", $"8{suffix}")).QueueId);
    }

    [Fact]
    public async Task ConfigurationGrainFrozen_ASiloThatNeverReadTheConfiguration_FindsEntryPointsFromItsStoredState()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var valid = ConfigurationValidatorTests.Valid();
        var configuration = valid with
        {
            Queues = [valid.Queues[0] with { Id = $"q-{suffix}" }],
            Agents = [valid.Agents[0] with { Id = $"a-{suffix}" }],
            EntryPoints = [new EntryPoint { DialledNumber = $"7{suffix}", QueueId = $"q-{suffix}" }],
        };
        var grain = fixture.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        Assert.True((await grain.ApplyAsync(configuration)).Applied);

        fixture.ConfigurationFreeze.Freeze();
        try
        {
            // A silo's directory as it is when the silo has just started: no copy yet.
            var fresh = ActivatorUtilities.CreateInstance<EntryPointDirectory>(fixture.Cluster.Silos[^1].ServiceProvider);

            // Before: the first read waited on the frozen grain until its silo came back (or Orleans' 30 s timeout).
            var found = await fresh.FindAsync($"7{suffix}").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal($"q-{suffix}", found?.QueueId);
            Assert.Null(await fresh.FindAsync($"6{suffix}").WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            fixture.ConfigurationFreeze.Thaw();
        }
    }

    [Fact]
    public async Task ConfigurationGrainFrozen_ASiloThatNeverReadTheConfiguration_PlacesAgentsOnTheirSite()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var valid = ConfigurationValidatorTests.Valid();
        var agent = valid.Agents[0] with { Id = $"a-{suffix}" };
        var grain = fixture.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration);
        Assert.True((await grain.ApplyAsync(valid with { Agents = [agent] })).Applied);

        fixture.ConfigurationFreeze.Freeze();
        try
        {
            // One silo: placement waits 5 s for the grain before it reads the stored state.
            var fresh = ActivatorUtilities.CreateInstance<CallCenter.Grains.Placement.AgentSiteDirectory>(fixture.Cluster.Silos[^1].ServiceProvider);

            // Before: the first read timed out on the frozen grain and the agent was placed without its site.
            Assert.Equal(agent.SiteId, await fresh.SiteOfAsync(agent.Id).WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            fixture.ConfigurationFreeze.Thaw();
        }
    }

    private async Task<CallSnapshot> ArriveAndEnqueueAsync(string callId, string dialled)
    {
        var call = fixture.Grains.GetGrain<ICallGrain>(callId);
        await call.ArriveAsync(new CallArrival { SiteId = "north", CallerNumber = $"c-{callId}", DialledNumber = dialled });
        var result = await call.EnqueueAsync();
        Assert.True(result.Status == EnqueueStatus.Queued, $"{result.Status}: {result.Message}");
        return await call.GetAsync();
    }
}
