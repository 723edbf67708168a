using CallCenter.Grains.Grains;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CallCenter.Grains.Configuration;

/// <summary>
/// The configuration as the configuration grain last wrote it, read from grain storage (Redis, or memory) without the
/// grain: where a silo's first copy comes from when the grain's silo is frozen or lost (<see cref="ConfigurationCopy{T}"/>).
/// </summary>
public sealed class StoredConfiguration(IServiceProvider services)
{
    public async Task<ContactCenterConfiguration> ReadAsync()
    {
        // Resolved when needed: the storage provider is registered by hosting after the grains' services.
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.State);
        var stored = new GrainState<ConfigurationGrainState>(new ConfigurationGrainState());
        await storage.ReadStateAsync(ConfigurationGrain.StateName, ConfigurationGrain.Id, stored);
        return stored.State?.Configuration ?? new ContactCenterConfiguration();
    }
}
