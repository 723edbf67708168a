using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace CallCenter.ServiceDefaults;

/// <summary>
/// The defaults of a web host of the contact center (the silo): OpenTelemetry with a Prometheus <c>/metrics</c>
/// endpoint unless <c>CallCenter:Telemetry:Prometheus</c> is false, and the liveness endpoint <c>/health/live</c>.
/// Both answer without credentials: liveness says only that the process answers, and the series carry no call, agent
/// or grain ids.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string PrometheusKey = "CallCenter:Telemetry:Prometheus";
    public const string MetricsPath = "/metrics";
    public const string LivenessPath = "/health/live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string defaultServiceName, TelemetrySources sources)
        where TBuilder : IHostApplicationBuilder
    {
        var prometheus = builder.Configuration.GetValue(PrometheusKey, true);
        builder.AddCallCenterOpenTelemetry(defaultServiceName, sources, metrics =>
        {
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }
        });
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapGet(LivenessPath, () => Results.Text("live")).AllowAnonymous();
        if (app.Configuration.GetValue(PrometheusKey, true))
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        }

        return app;
    }
}
