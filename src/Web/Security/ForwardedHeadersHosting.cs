using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace CallCenter.Web.Security;

/// <summary>
/// <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed only from the proxies the operator names
/// (<see cref="KnownProxiesKey"/>: addresses, <see cref="KnownNetworksKey"/>: CIDRs); by default none, not even
/// loopback, so a client cannot choose the address the login lockout and the anonymous-loopback rule see.
/// </summary>
public static class ForwardedHeadersHosting
{
    public const string KnownProxiesKey = "CallCenter:Http:KnownProxies";
    public const string KnownNetworksKey = "CallCenter:Http:KnownNetworks";

    public static IServiceCollection AddCallCenterForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = Values(configuration, KnownProxiesKey)
            .Select(text => IPAddress.TryParse(text, out var address) ? address : throw Invalid(KnownProxiesKey, text, "an IP address"))
            .ToList();
        var networks = Values(configuration, KnownNetworksKey)
            .Select(text => System.Net.IPNetwork.TryParse(text, out var network) ? network : throw Invalid(KnownNetworksKey, text, "an IP network (CIDR)"))
            .ToList();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    /// <summary>
    /// The middleware only when a proxy is named: with neither list set, ASP.NET Core's middleware would believe any
    /// sender, and with nothing to believe there is nothing for it to do.
    /// </summary>
    public static WebApplication UseCallCenterForwardedHeaders(this WebApplication app)
    {
        if (Values(app.Configuration, KnownProxiesKey).Length + Values(app.Configuration, KnownNetworksKey).Length > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    private static string[] Values(IConfiguration configuration, string key) =>
        configuration[key] is { Length: > 0 } single
            ? single.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : configuration.GetSection(key).Get<string[]>() ?? [];

    private static StartupConfigurationException Invalid(string key, string value, string what) => new($"{key}: '{value}' is not {what}");
}
