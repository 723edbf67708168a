using Orleans.Dashboard;

namespace CallCenter.Web.Hosting;

/// <summary>
/// The silo's own observability, beyond the service defaults (OpenTelemetry, <c>/metrics</c>): Orleans' activity
/// propagation (one trace from the edge through the grains) and the Orleans dashboard under <c>/dashboard</c> for
/// administrators.
/// </summary>
public static class Observability
{
    public const string DashboardKey = "CallCenter:Telemetry:Dashboard";
    public const string DashboardPath = "/dashboard";

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

    /// <summary>The dashboard's pages and its API (files and JSON under /dashboard), for admins only.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        if (app.Configuration.GetValue(DashboardKey, true))
        {
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(Security.Policies.Admin);
        }

        return app;
    }
}
