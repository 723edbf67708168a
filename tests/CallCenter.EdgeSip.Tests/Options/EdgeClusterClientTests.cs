using CallCenter.EdgeSip.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CallCenter.EdgeSip.Tests.Options;

/// <summary>
/// The edge process's Orleans client re-reads the gateway list every few seconds (not Orleans' minute), so the grains
/// mapped to a frozen silo's gateway move to a live one soon after the silo is declared dead, inside the calls' lease.
/// </summary>
public sealed class EdgeClusterClientTests
{
    [Fact]
    public void EdgeClient_ReadsTheGatewayListOften_AndGivesUpAGrainCallBeforeOrleansDefault()
    {
        using var host = Build([]);

        Assert.Equal(TimeSpan.FromSeconds(EdgeClusterClient.DefaultGatewayListRefreshSeconds), host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod);
        Assert.True(host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod < TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(EdgeClusterClient.DefaultResponseTimeoutSeconds), host.Services.GetRequiredService<IOptions<ClientMessagingOptions>>().Value.ResponseTimeout);
    }

    [Fact]
    public void EdgeClient_OperatorSettings_AreUsed_AndNonsenseIsRefused()
    {
        using var host = Build(new() { [EdgeClusterClient.GatewayListRefreshKey] = "5", [EdgeClusterClient.ResponseTimeoutKey] = "20" });
        Assert.Equal(TimeSpan.FromSeconds(5), host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.GatewayListRefreshPeriod);
        Assert.Equal(TimeSpan.FromSeconds(20), host.Services.GetRequiredService<IOptions<ClientMessagingOptions>>().Value.ResponseTimeout);

        var refused = Assert.Throws<InvalidOperationException>(() => Build(new() { [EdgeClusterClient.GatewayListRefreshKey] = "0" }));
        Assert.Contains(EdgeClusterClient.GatewayListRefreshKey, refused.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.UseLocalhostClustering().ConfigureEdgeClient(builder.Configuration));
        return builder.Build();
    }
}
