using CallCenter.EdgeSip.Hosting;
using CallCenter.EdgeSip.Telemetry;
using CallCenter.Persistence;
using CallCenter.ServiceDefaults;
using CallCenter.Simulation;
using CallCenter.Web;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;

namespace CallCenter.Silo;

/// <summary>
/// The silo's composition, once: Program.cs runs it, and the tests that exercise the whole web application start it
/// too (with their own settings, and a fake clock where they need one), so a change here is what they test.
/// </summary>
public static class SiloApplication
{
    /// <summary>
    /// Composes the silo on <paramref name="builder"/> (whose configuration and services the caller has filled) and builds it:
    /// demo credentials, defaults, Orleans, the web application, the co-hosted SIP edge, demo traffic, then the endpoints.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        // Before anything reads the user or phone-account lists: the demo's only in the demo, published secrets refused elsewhere.
        builder.AddDemoCredentials();

        builder.AddServiceDefaults("callcenter-silo", new TelemetrySources(
            Meters: ["CallCenter.Grains", EdgeTelemetry.MeterName, GatewayMetrics.MeterName],
            ActivitySources: ["CallCenter.Grains", EdgeTelemetry.ActivitySourceName]));
        builder.UseOrleans(silo =>
        {
            silo.ConfigureCallCenterSilo(builder.Configuration);
            silo.AddCallCenterDiagnostics(builder.Configuration);
            // How fast a crashed silo is declared dead (ProbeTimeout, NumMissedProbesLimit, ...): Orleans binds no section for it itself.
            silo.Services.AddOptions<Orleans.Configuration.ClusterMembershipOptions>().Bind(builder.Configuration.GetSection("Orleans:Membership"));
        });
        builder.AddCallCenterWeb();
        builder.Services.AddSipEdge(builder.Configuration);
        builder.AddDemoTraffic();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCallCenterWeb();
        return app;
    }
}
