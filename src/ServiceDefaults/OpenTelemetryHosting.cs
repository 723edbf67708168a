using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CallCenter.ServiceDefaults;

/// <summary>
/// OpenTelemetry for the silo and the edge process alike: the meters and activity sources the host names, and
/// Orleans' own. Traces and logs are exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
/// exporter reads the OTEL_EXPORTER_OTLP_* variables itself); metrics go to OTLP then too, and to whatever the host
/// adds (the silo's Prometheus endpoint, see <see cref="ServiceDefaultsExtensions"/>).
/// </summary>
public static class OpenTelemetryHosting
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Orleans' meter (<c>Microsoft.Orleans</c>) and its activity sources (<c>Microsoft.Orleans.*</c>).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";
    public const string OrleansActivitySources = "Microsoft.Orleans.*";

    public static bool OtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    /// <param name="sources">The host's own meters and activity sources; Orleans' are always added.</param>
    public static IOpenTelemetryBuilder AddCallCenterOpenTelemetry(
        this IHostApplicationBuilder builder, string defaultServiceName, TelemetrySources sources, Action<MeterProviderBuilder>? metrics = null)
    {
        var otlp = OtlpConfigured(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? defaultServiceName));
        if (otlp || metrics is not null)
        {
            // With nowhere to send them (an edge process without OTLP) the instruments stay unobserved and cost nothing.
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter([.. sources.Meters, OrleansMeterName]);
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
            telemetry.WithTracing(tracing => tracing.AddSource([.. sources.ActivitySources, OrleansActivitySources]).AddOtlpExporter());
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

/// <summary>The meters and activity sources a process observes (each host names its own; this project knows none).</summary>
public sealed record TelemetrySources(IReadOnlyList<string> Meters, IReadOnlyList<string> ActivitySources);
