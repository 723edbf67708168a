using CallCenter.Web.Api;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallCenter.Web;

/// <summary>What the silo serves to people and desktops: the HTTP API, the wallboard and the agent gateway.</summary>
public static class CallCenterWeb
{
    public static WebApplicationBuilder AddCallCenterWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddCallCenterSecurity();
        // Every body, with a Content-Length or chunked, is counted by Kestrel as it is read and refused (413) past the limit.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = HttpResults.MaxBodyBytes);
        builder.Services.AddCallCenterRateLimits(builder.Configuration);
        builder.Services.AddCallCenterForwardedHeaders(builder.Configuration);
        builder.Services.AddCallCenterHostFiltering(builder.Configuration);
        builder.Services.TryAddSingleton<SessionRevocations>();
        builder.Services.TryAddSingleton<PhoneProvisioning>();
        // Before the gateway's user seeding (hosted services start in order): a removed demo user is seeded again only if configured.
        builder.Services.AddHostedService<StoredDemoSecretSweep>();
        builder.Services.AddSingleton<ConfigurationSeeder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConfigurationSeeder>());
        builder.AddAgentGateway();
        return builder;
    }

    /// <summary>
    /// The middleware (the public wallboard page, then authentication and authorization) and every endpoint. Each
    /// endpoint names its policy or AllowAnonymous; the fallback policy refuses one that names neither.
    /// </summary>
    public static WebApplication MapCallCenterWeb(this WebApplication app)
    {
        app.UseGatewayPortForGrpcOnly();
        app.UseSecurityHeaders();
        // Then: what follows (the login lockout, anonymous loopback) sees the client a configured proxy forwarded.
        app.UseCallCenterForwardedHeaders();
        app.UseMetricsAccess();
        app.UseStateChangeProtection();
        app.UseWallboardPage();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapWallboardApi();
        app.MapHealthEndpoints();
        app.MapAdminApi();
        app.MapSessionApi();
        app.MapOperationsApi();
        app.MapHistoryApi();
        app.MapAgentGateway();
        app.MapDashboard();
        return app;
    }
}
