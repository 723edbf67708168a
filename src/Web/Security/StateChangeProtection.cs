using System.Net;
using CallCenter.Web.Api;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Net.Http.Headers;

namespace CallCenter.Web.Security;

/// <summary>
/// What keeps a web page in the operator's own browser from using the HTTP API, above all the anonymous loopback admin
/// (<c>CallCenter:Http:AllowAnonymousLoopback</c>): the Host header must be an allowed name (ASP.NET Core's host
/// filtering; <c>AllowedHosts</c>, by default the loopback names while anonymous loopback is on, which defeats DNS
/// rebinding), a state change (POST, PUT, PATCH, DELETE) must not come from another origin (Origin or Sec-Fetch-Site:
/// 403) and, with a body, must be <c>application/json</c> (415), so a cross-site form or text/plain POST does nothing.
/// </summary>
public static class StateChangeProtection
{
    public const string AllowedHostsKey = "AllowedHosts";

    /// <summary>The names a browser uses for this machine: the only Hosts accepted while anonymous loopback is on, unless <c>AllowedHosts</c> says otherwise.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static IServiceCollection AddCallCenterHostFiltering(this IServiceCollection services, IConfiguration configuration)
    {
        services.PostConfigure<HostFilteringOptions>(options =>
        {
            var configured = configuration[AllowedHostsKey];
            if (string.IsNullOrWhiteSpace(configured) && configuration.GetValue(SessionTokenAuthenticationHandler.AllowAnonymousLoopbackKey, true))
            {
                options.AllowedHosts = [.. LoopbackHosts];
                options.AllowEmptyHosts = false;
            }
        });
        return services;
    }

    /// <summary>Whether <paramref name="host"/> (the Host header's name, without port) names this machine's loopback.</summary>
    public static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public static WebApplication UseStateChangeProtection(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Refusal(context) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        return app;
    }

    private static IResult? Refusal(HttpContext context)
    {
        var request = context.Request;
        if (GrpcRequests.IsGrpc(context) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site")
        {
            return HttpResults.Problem(StatusCodes.Status403Forbidden, $"a state change from another site is refused (Sec-Fetch-Site: {fetchSite})");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var from)
            || !string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return HttpResults.Problem(StatusCodes.Status403Forbidden, $"a state change from origin '{origin}' is refused: only this server's own pages may make one");
        }

        var contentType = request.ContentType;
        if (!string.IsNullOrEmpty(contentType)
            && !(MediaTypeHeaderValue.TryParse(contentType, out var media)
                 && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
        {
            return HttpResults.Problem(StatusCodes.Status415UnsupportedMediaType, $"a state change takes application/json, not '{contentType}'");
        }

        return null;
    }
}
