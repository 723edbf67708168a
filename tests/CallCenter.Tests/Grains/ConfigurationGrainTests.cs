using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Configuration;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ConfigurationGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Apply_Invalid_AppliesNothing_ThenValid_ConfiguresQueuesAgentsAndEntryPoints()
    {
        var configuration = fixture.Grains.GetGrain<IConfigurationGrain>($"config-{Guid.NewGuid():N}");
        var valid = ConfigurationValidatorTests.Valid();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        valid = valid with
        {
            Queues = [valid.Queues[0] with { Id = $"q-{suffix}" }],
            Agents = [valid.Agents[0] with { Id = $"a-{suffix}" }],
            EntryPoints = [new EntryPoint { DialledNumber = $"9{suffix}", QueueId = $"q-{suffix}" }],
        };

        var rejected = await configuration.ApplyAsync(valid with { Agents = [valid.Agents[0] with { SiteId = "mars" }] });
        Assert.False(rejected.Applied);
        Assert.Equal("agents[0].siteId", Assert.Single(rejected.Errors).Field);
        Assert.Equal(0, (await configuration.GetAsync()).Version);
        Assert.Null((await fixture.Grains.GetGrain<IAgentGrain>($"a-{suffix}").GetStatusAsync()).Definition);

        var applied = await configuration.ApplyAsync(valid);
        Assert.True(applied.Applied);
        Assert.Equal(1, applied.Version);
        var agent = await fixture.Grains.GetGrain<IAgentGrain>($"a-{suffix}").GetStatusAsync();
        Assert.Equal("north", agent.Definition!.SiteId);
        Assert.NotNull((await fixture.Grains.GetGrain<IQueueGrain>($"q-{suffix}").GetStatusAsync()).Definition);
        Assert.Equal($"q-{suffix}", (await configuration.FindEntryPointAsync($"9{suffix}"))!.QueueId);

        var seeded = await configuration.SeedAsync(valid with { Skills = ["sales", "other"] });
        Assert.Equal(1, seeded.Version);
        Assert.Equal(["sales"], (await configuration.GetAsync()).Skills);
    }
}
