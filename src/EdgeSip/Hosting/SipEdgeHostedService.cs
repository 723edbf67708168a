using CallCenter.EdgeSip.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Hosting;

/// <summary>Runs the site's SIP edge beside the silo (the embedded default) or in an Orleans client process.</summary>
internal sealed class SipEdgeHostedService(SipEdgeOptions options, IGrainFactory grains, TimeProvider time, EdgeMetrics metrics, ILogger<SipEdge> logger) : IHostedService, IAsyncDisposable
{
    private SipEdge? _edge;

    public SipEdge? Edge => _edge;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _edge = new SipEdge(options, grains, time, metrics, logger);
        await _edge.StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_edge is { } edge)
        {
            _edge = null;
            await edge.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));
}

public static class SipEdgeServiceCollectionExtensions
{
    /// <summary>Adds the SIP edge configured by <c>CallCenter:Sip</c> when it is enabled; returns whether it was added.</summary>
    public static bool AddSipEdge(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new SipEdgeOptions();
        configuration.GetSection(SipEdgeOptions.Section).Bind(options);
        if (!options.Enabled)
        {
            return false;
        }

        if (configuration.GetSection(SipEdgeOptions.Section + ":Numbers").GetChildren().Any())
        {
            // Silently ignoring it would drop every IVR: say where it lives now.
            throw new InvalidOperationException(
                $"{SipEdgeOptions.Section}:Numbers is no longer read: IVR flows are part of the contact-center configuration "
                + "(ivrFlows, and entryPoints[].ivrFlowId), changed through the admin API; see docs/operations.md");
        }

        SipEdgeOptionsValidator.ThrowIfInvalid(options);
        services.AddSingleton(options);

        // The host's clock when it has one (the silo's), else the system's.
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton<SipEdgeHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<SipEdgeHostedService>());
        return true;
    }
}
