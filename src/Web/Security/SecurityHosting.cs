using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace CallCenter.Web.Security;

public static class SecurityHosting
{
    /// <summary>
    /// Authentication by session token (<see cref="SessionTokenAuthenticationHandler"/>), the named policies
    /// (<see cref="Policies"/>) and how refusals are answered (<see cref="AuthorizationResults"/>). Idempotent: the HTTP API
    /// and the gateway each ask for it.
    /// </summary>
    public static IServiceCollection AddCallCenterSecurity(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(SecurityAdded)))
        {
            return services;
        }

        services.AddSingleton<SecurityAdded>();
        services.AddAuthentication(SessionTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionTokenAuthenticationHandler>(SessionTokenAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddCallCenterAuthorization();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationResults>();
        return services;
    }

    private sealed class SecurityAdded;
}
