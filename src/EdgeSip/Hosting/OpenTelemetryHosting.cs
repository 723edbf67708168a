using CallCenter.EdgeSip.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CallCenter.EdgeSip.Hosting;

/// <summary>
/// OpenTelemetry for the silo and the edge process alike: the contact center's meters and activity sources and
/// Orleans' own. Traces and logs are exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
/// exporter reads the OTEL_EXPORTER_OTLP_* variables itself); metrics go to OTLP then too, and to whatever the host
/// adds (the silo's Prometheus endpoint).
/// </summary>
public static class OpenTelemetryHosting
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' meter (<c>Microsoft.Orleans</c>) and its activity sources (<c>Microsoft.Orleans.*</c>).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";
    public const string OrleansActivitySources = "Microsoft.Orleans.*";

    /// <summary>The contact center's meters and sources (the grains' names are spelled here: the edge does not reference them).</summary>
    public static readonly string[] MeterNames = ["CallCenter.Grains", EdgeTelemetry.MeterName, "CallCenter.Gateway", OrleansMeterName];
    public static readonly string[] ActivitySourceNames = ["CallCenter.Grains", EdgeTelemetry.ActivitySourceName, OrleansActivitySources];

    public static bool OtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    public static IOpenTelemetryBuilder AddCallCenterOpenTelemetry(this IHostApplicationBuilder builder, string defaultServiceName, Action<MeterProviderBuilder>? metrics = null)
    {
        var otlp = OtlpConfigured(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? defaultServiceName));
        if (otlp || metrics is not null)
        {
            // With nowhere to send them (an edge process without OTLP) the instruments stay unobserved and cost nothing.
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter(MeterNames);
                metrics?.Invoke(meters);
                if (otlp)
                {
                    meters.AddOtlpExporter();
                }
            });
        }
        if (otlp)
        {
            // Without an exporter no activity is recorded: Orleans and the edge then create none (no listener).
            telemetry.WithTracing(tracing => tracing.AddSource(ActivitySourceNames).AddOtlpExporter());
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
                logging.AddOtlpExporter();
            });
        }

        return telemetry;
    }
}
