using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallCenter.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>Registers what the grains need beyond Orleans: the contact-center clock (the system clock unless a test put a fake one first).</summary>
    public static ISiloBuilder AddCallCenterGrains(this ISiloBuilder builder)
    {
        builder.Services.TryAddKeyedSingleton(ContactCenterClock.ServiceKey, TimeProvider.System);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
