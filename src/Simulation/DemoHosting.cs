using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Simulation;

public static class DemoHosting
{
    public const string EnabledKey = "CallCenter:Demo:Enabled";

    /// <summary>Simulated desks and callers, when <c>CallCenter:Demo:Enabled</c> is true (the silo's <c>--demo</c>).</summary>
    public static IHostApplicationBuilder AddDemoTraffic(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue(EnabledKey, false))
        {
            builder.Services.AddHostedService<DemoTraffic>();
        }

        return builder;
    }
}
