using System.Diagnostics.Metrics;
using CallCenter.EdgeSip.Hosting;
using CallCenter.Model;
using CallCenter.Silo.Api;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace CallCenter.Silo.Hosting;

/// <summary>
/// The silo's observability: OpenTelemetry (see <see cref="OpenTelemetryHosting"/>), a Prometheus <c>/metrics</c>
/// endpoint, Orleans' activity propagation (one trace from the edge through the grains) and the Orleans dashboard
/// under <c>/dashboard</c> for administrators.
/// </summary>
public static class Observability
{
    public const string PrometheusKey = "CallCenter:Telemetry:Prometheus";
    public const string DashboardKey = "CallCenter:Telemetry:Dashboard";
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    public static WebApplicationBuilder AddCallCenterObservability(this WebApplicationBuilder builder)
    {
        var prometheus = builder.Configuration.GetValue(PrometheusKey, true);
        builder.AddCallCenterOpenTelemetry("callcenter-silo", metrics =>
        {
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }
        });
        return builder;
    }

    /// <summary>Activity propagation through grain calls and, unless turned off, the dashboard's grain profiling.</summary>
    public static ISiloBuilder AddCallCenterDiagnostics(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddActivityPropagation();
        if (configuration.GetValue(DashboardKey, true))
        {
            silo.AddDashboard();
        }

        return silo;
    }

    public static WebApplication MapCallCenterObservability(this WebApplication app)
    {
        if (app.Configuration.GetValue(PrometheusKey, true))
        {
            // Prometheus scrapes without credentials: the series carry no call, agent or grain ids.
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }

        if (app.Configuration.GetValue(DashboardKey, true))
        {
            // The dashboard's pages and its API (files and JSON under /dashboard): the HTTP API's administration rule
            // (a token with role Admin, or anonymous loopback when allowed), applied before its endpoints run.
            app.UseWhen(
                context => context.Request.Path.StartsWithSegments(DashboardPath),
                branch => branch.Use(async (context, next) =>
                {
                    if (HttpAccess.CheckAdministration(context) is { } denied)
                    {
                        await denied.ExecuteAsync(context);
                        return;
                    }

                    await next(context);
                }));
            app.MapOrleansDashboard(DashboardPath);
        }

        return app;
    }
}

/// <summary>The agent gateway's metrics: open desktop event streams (gRPC sessions), by role.</summary>
internal static class GatewayTelemetry
{
    public const string MeterName = "CallCenter.Gateway";
    public const string SessionsName = "callcenter.gateway.sessions";
    public const string SessionsOpenedName = "callcenter.gateway.sessions.opened";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Desktop event streams open now, by role.</summary>
    public static readonly UpDownCounter<long> Sessions = Meter.CreateUpDownCounter<long>(SessionsName, "{session}", "Agent desktop event streams open now, by role");

    /// <summary>Desktop event streams opened since start, by role.</summary>
    public static readonly Counter<long> SessionsOpened = Meter.CreateCounter<long>(SessionsOpenedName, "{session}", "Agent desktop event streams opened, by role");

    public static KeyValuePair<string, object?> Role(UserRole role) =>
        new("role", role switch
        {
            UserRole.Agent => "agent",
            UserRole.PartnerExpert => "partner_expert",
            UserRole.Supervisor => "supervisor",
            _ => "admin",
        });
}
