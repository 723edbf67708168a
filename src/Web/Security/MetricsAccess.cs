using System.Net;
using CallCenter.Web.Api;
using Microsoft.AspNetCore.Authentication;

namespace CallCenter.Web.Security;

/// <summary>
/// Who may read <c>/metrics</c>: its labels name every tenant's queues and sites, so it is the platform's, not a tenant's.
/// A scraper whose address is in <c>CallCenter:Telemetry:MetricsScrapers</c> (addresses or CIDR networks, e.g. the pod
/// network Prometheus scrapes from), the platform admin (an admin of the default tenant, with a token), and the local
/// operator on loopback when anonymous loopback is allowed. Anyone else gets 401 or 403.
/// </summary>
public static class MetricsAccess
{
    public const string ScrapersKey = "CallCenter:Telemetry:MetricsScrapers";

    public static WebApplication UseMetricsAccess(this WebApplication app)
    {
        var scrapers = Scrapers(app.Configuration);
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.Equals(ServiceDefaultsExtensions.MetricsPath, StringComparison.OrdinalIgnoreCase)
                || (context.Connection.RemoteIpAddress is { } remote && scrapers.Any(network => network.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))))
            {
                await next(context);
                return;
            }

            var authenticated = await context.AuthenticateAsync(SessionTokenAuthenticationHandler.SchemeName);
            if (authenticated.Principal?.SessionPrincipal() is { } principal && AccessPolicy.SeesAllTenants(principal))
            {
                await next(context);
                return;
            }

            await HttpResults.Problem(
                authenticated.Succeeded ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized,
                $"/metrics is the platform's: a scraper listed in {ScrapersKey}, or the platform admin").ExecuteAsync(context);
        });
        return app;
    }

    private static List<System.Net.IPNetwork> Scrapers(IConfiguration configuration)
    {
        var values = configuration[ScrapersKey] is { Length: > 0 } single
            ? single.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : configuration.GetSection(ScrapersKey).Get<string[]>() ?? [];
        return values.Select(text =>
            System.Net.IPNetwork.TryParse(text, out var network) ? network
            : IPAddress.TryParse(text, out var address) ? new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8)
            : throw new StartupConfigurationException($"{ScrapersKey}: '{text}' is neither an IP address nor a network (CIDR)")).ToList();
    }
}
