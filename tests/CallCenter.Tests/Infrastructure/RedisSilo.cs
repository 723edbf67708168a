using CallCenter.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.Tests.Infrastructure;

/// <summary>A silo host configured exactly as production configures it for Redis (the Orleans:Clustering settings), on free loopback ports.</summary>
public sealed class RedisSilo : IAsyncDisposable
{
    private RedisSilo(IHost host) => Host = host;

    public IHost Host { get; }

    public IGrainFactory Grains => Host.Services.GetRequiredService<IGrainFactory>();

    public static Dictionary<string, string?> Settings(RedisServer redis, string clusterId) => new()
    {
        [OrleansHosting.ProviderTypeKey] = "Redis",
        [OrleansHosting.ConnectionStringKey] = redis.ConnectionString,
        ["Orleans:ClusterId"] = clusterId,
        ["Orleans:ServiceId"] = "callcenter-tests",
        ["CallCenter:SiloPort"] = PortAllocator.Next().ToString(),
        ["CallCenter:GatewayPort"] = PortAllocator.Next().ToString(),
    };

    public static async Task<RedisSilo> StartAsync(RedisServer redis, string clusterId)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(redis, clusterId));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new RedisSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Host.StopAsync();
        }
        finally
        {
            Host.Dispose();
        }
    }
}
