using CallCenter.Domain;
using CallCenter.Domain.History;
using CallCenter.Grains.Configuration;
using CallCenter.Grains.Contracts;
using CallCenter.Grains.Persistence;
using CallCenter.Grains.Placement;
using CallCenter.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Serialization;

namespace CallCenter.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains need beyond Orleans: the contact-center clock (the system clock unless a test put a fake
    /// one first), the call history (memory unless hosting or a test registered another first), and site placement with
    /// this silo's site label: <paramref name="siteId"/>, else <c>CallCenter:SiteId</c>, else none;
    /// and the grains' metrics, one <see cref="CallCenterMetrics"/> per silo made from its <see cref="System.Diagnostics.Metrics.IMeterFactory"/>.
    /// </summary>
    public static ISiloBuilder AddCallCenterGrains(this ISiloBuilder builder, string? siteId = null)
    {
        builder.Services.TryAddKeyedSingleton(ContactCenterClock.ServiceKey, TimeProvider.System);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ICallHistory>(_ => new InMemoryCallHistory());
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<CallCenterMetrics>();

        siteId ??= builder.Configuration[SiteLabel.ConfigurationKey];
        var label = new Dictionary<string, string>();
        if (!string.IsNullOrWhiteSpace(siteId))
        {
            label[SiteLabel.MetadataKey] = siteId;
        }

        builder.UseSiloMetadata(label);
        builder.Services.AddSingleton<SiteLocator>();
        builder.Services.AddSingleton<AgentSiteDirectory>();
        builder.Services.AddSingleton<StoredConfiguration>();
        builder.Services.AddSingleton<EntryPointDirectory>();
        builder.AddPlacementDirector<SitePlacement, SitePlacementDirector>();

        // Reminders end calls whose silo and edge were both lost (CallGrain.Reminder.cs); the table comes from the
        // storage choice (memory below, Redis in CallCenter.Persistence). The minimum period admits the call's reminder.
        builder.AddReminders();
        builder.Services.AddOptions<ReminderOptions>().Configure<IOptions<CallLeaseOptions>>((reminders, lease) =>
        {
            if (lease.Value.EdgeLeaseReminderPeriod < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = lease.Value.EdgeLeaseReminderPeriod;
            }
        });
        return builder;
    }

    /// <summary>Keeps grain state and reminders in this process (<see cref="LocalMemoryGrainStorage"/>, <see cref="MemoryReminderTable"/>); pass one store to several silos of a process to share them.</summary>
    public static ISiloBuilder AddCallCenterMemoryStorage(this ISiloBuilder builder, MemoryStateStore? sharedStore = null)
    {
        var store = sharedStore ?? new MemoryStateStore();
        builder.Services.AddGrainStorage(StorageNames.State, (services, name) =>
            new LocalMemoryGrainStorage(name, store, services.GetRequiredService<Serializer>()));
        builder.Services.AddSingleton<IReminderTable>(store.Reminders);
        return builder;
    }
}
