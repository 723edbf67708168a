using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Tests.Configuration;
using CallCenter.Tests.Infrastructure;
using CallCenter.Web.Hosting;

namespace CallCenter.Tests.Grains;

/// <summary>IVR flows are stored and versioned with the rest of the configuration; a bad flow never replaces a good one.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConfigurationGrainIvrTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Apply_BadFlow_KeepsTheStoredFlowsAndVersion_AGoodChangeIsAppliedAndVersioned()
    {
        var configuration = fixture.Grains.GetGrain<IConfigurationGrain>($"config-ivr-{Guid.NewGuid():N}");
        var example = JsonSerializer.Deserialize<ContactCenterConfiguration>(IvrFlowValidationTests.ExampleJson, JsonDefaults.Options)!;
        Assert.True((await configuration.ApplyAsync(example)).Applied);
        Assert.Equal(1, await configuration.GetVersionAsync());

        var bad = example with { IvrFlows = [example.IvrFlows[0] with { Menu = new Dictionary<string, string> { ["1"] = "acme-help" } }, example.IvrFlows[1]] };
        var refused = await configuration.ApplyAsync(bad);

        Assert.False(refused.Applied);
        Assert.Equal("ivrFlows[0].menu['1']", Assert.Single(refused.Errors).Field);
        Assert.Equal(1, await configuration.GetVersionAsync());
        Assert.Equal("sales", (await configuration.GetAsync()).IvrFlows[0].Menu["1"]);

        var changed = example with { IvrFlows = [example.IvrFlows[0] with { Greeting = "thank-you" }, example.IvrFlows[1]] };
        var applied = await configuration.ApplyAsync(changed);

        Assert.True(applied.Applied);
        Assert.Equal(2, await configuration.GetVersionAsync());
        Assert.Equal("thank-you", (await configuration.GetAsync()).IvrFlows[0].Greeting);
    }
}
