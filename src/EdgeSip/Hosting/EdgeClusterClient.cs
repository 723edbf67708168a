using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace CallCenter.EdgeSip.Hosting;

/// <summary>
/// The Orleans client settings of a separate edge process. An Orleans client sends every message for a grain through
/// the same gateway connection; a frozen silo (SIGSTOP, a stalled VM) keeps its connections open, so the grains mapped
/// to its gateway hang until the client drops that gateway, which it does only when it re-reads the gateway list (once a
/// minute by Orleans' default) and finds the silo declared dead. The edge re-reads it often, so its calls move to a live
/// gateway within seconds of the silo's death, well inside their edge lease; and a grain call gives up sooner than
/// Orleans' 30 s, so the edge's own retry takes over.
/// </summary>
public static class EdgeClusterClient
{
    public const string GatewayListRefreshKey = "CallCenter:Sip:GatewayListRefreshSeconds";
    public const string ResponseTimeoutKey = "CallCenter:Sip:GrainCallTimeoutSeconds";
    public const double DefaultGatewayListRefreshSeconds = 2;
    public const double DefaultResponseTimeoutSeconds = 10;

    public static IClientBuilder ConfigureEdgeClient(this IClientBuilder client, IConfiguration configuration)
    {
        var refresh = Seconds(configuration, GatewayListRefreshKey, DefaultGatewayListRefreshSeconds, max: 300);
        var timeout = Seconds(configuration, ResponseTimeoutKey, DefaultResponseTimeoutSeconds, max: 120);
        client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = refresh);
        client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = timeout);
        return client;
    }

    private static TimeSpan Seconds(IConfiguration configuration, string key, double fallback, double max)
    {
        var seconds = configuration.GetValue(key, fallback);
        return seconds is >= 0.5 && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"{key} must be from 0.5 to {max} seconds, not {seconds}");
    }
}
