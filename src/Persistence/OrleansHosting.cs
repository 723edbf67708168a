using CallCenter.Domain.History;
using CallCenter.Grains;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Hosting;
using CallCenter.ServiceDefaults;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace CallCenter.Persistence;

/// <summary>
/// Chooses clustering and storage from configuration: nothing configured means one silo on localhost with memory storage
/// (the embedded default); <c>Orleans:Clustering:ProviderType=Redis</c> means Redis membership, Redis grain state and
/// Redis reminders.
/// </summary>
public static class OrleansHosting
{
    public const string ProviderTypeKey = "Orleans:Clustering:ProviderType";
    public const string ConnectionStringKey = "Orleans:Clustering:ConnectionString";
    public const string HistoryMaxLengthKey = "CallCenter:History:MaxLength";
    public const string StorageProviderKey = $"Orleans:GrainStorage:{StorageNames.State}:ProviderType";

    public static void ConfigureCallCenterSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddCallCenterGrains();
        if (configuration[CallLeaseOptions.EdgeLeaseSecondsKey] is { Length: > 0 } leaseText)
        {
            if (!double.TryParse(leaseText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var leaseSeconds) || leaseSeconds is < 1 or > 3600)
            {
                throw new StartupConfigurationException($"{CallLeaseOptions.EdgeLeaseSecondsKey} is '{leaseText}': it must be a number of seconds from 1 to 3600 (60 by default).");
            }

            silo.Services.Configure<CallLeaseOptions>(options => options.EdgeLeaseSeconds = leaseSeconds);
        }

        var provider = configuration[ProviderTypeKey];
        if (string.IsNullOrWhiteSpace(provider))
        {
            silo.UseLocalhostClustering(
                siloPort: configuration.GetValue("CallCenter:SiloPort", 11111),
                gatewayPort: configuration.GetValue("CallCenter:GatewayPort", 30000));
            silo.AddCallCenterMemoryStorage();
            return;
        }

        if (!string.Equals(provider, "Redis", StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupConfigurationException($"{ProviderTypeKey} is '{provider}': the supported providers are 'Redis', or none for the embedded localhost default.");
        }

        var connectionString = configuration[ConnectionStringKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupConfigurationException($"{ProviderTypeKey} is Redis but {ConnectionStringKey} is not set (e.g. 'localhost:6379').");
        }

        ConfigurationOptions redis;
        try
        {
            redis = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new StartupConfigurationException($"{ConnectionStringKey} is not a valid Redis connection string: {exception.Message}");
        }

        if (string.IsNullOrWhiteSpace(configuration["Orleans:ClusterId"]) || string.IsNullOrWhiteSpace(configuration["Orleans:ServiceId"]))
        {
            throw new StartupConfigurationException("Orleans:ClusterId and Orleans:ServiceId must be set when clustering with Redis, so silos of one contact center find each other and their state.");
        }

        var advertised = configuration["CallCenter:AdvertisedAddress"];
        IPAddress? address = null;
        if (!string.IsNullOrWhiteSpace(advertised) && !IPAddress.TryParse(advertised, out address))
        {
            throw new StartupConfigurationException($"CallCenter:AdvertisedAddress is '{advertised}', not an IP address (in Kubernetes, the pod IP).");
        }

        silo.ConfigureEndpoints(
            address ?? IPAddress.Loopback,
            configuration.GetValue("CallCenter:SiloPort", 11111),
            configuration.GetValue("CallCenter:GatewayPort", 30000),
            listenOnAnyHostAddress: address is not null && !IPAddress.IsLoopback(address));

        // Orleans configures Redis membership itself from the Orleans:Clustering section; grain state follows it
        // unless a storage provider of its own is configured.
        if (string.IsNullOrWhiteSpace(configuration[StorageProviderKey]))
        {
            silo.AddRedisGrainStorage(StorageNames.State, options => options.ConfigurationOptions = redis);
        }

        // Reminders of calls whose silo may be lost (one row per edge-leased call, removed when it ends) live in Redis too.
        silo.UseRedisReminderService(options => options.ConfigurationOptions = redis);

        // State is written with Orleans' own serializer: it honours the [Id]s of our state types (so they can grow) and,
        // unlike the default JSON with type names, reads back collections the compiler made for collection expressions.
        // Call records go to a Redis stream of this contact center, agent state spans to a second one (see docs/reports.md);
        // this replaces the memory default.
        var serviceId = configuration["Orleans:ServiceId"]!;
        var historyLength = configuration.GetValue(HistoryMaxLengthKey, RedisCallHistory.DefaultMaxLength);
        silo.Services.AddSingleton<ICallHistory>(_ => new RedisCallHistory(redis, RedisCallHistory.KeyFor(serviceId), historyLength, RedisCallHistory.SpanKeyFor(serviceId), historyLength));

        silo.Services.AddOptions<RedisStorageOptions>(StorageNames.State)
            .PostConfigure<Serializer>((options, serializer) => options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
    }
}
