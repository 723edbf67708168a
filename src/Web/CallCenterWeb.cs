using CallCenter.Web.Api;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;

namespace CallCenter.Web;

/// <summary>What the silo serves to people and desktops: the HTTP API, the wallboard and the agent gateway.</summary>
public static class CallCenterWeb
{
    public static WebApplicationBuilder AddCallCenterWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConfigurationSeeder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConfigurationSeeder>());
        builder.AddAgentGateway();
        return builder;
    }

    public static WebApplication MapCallCenterWeb(this WebApplication app)
    {
        app.UseWallboard();
        app.MapHealthEndpoints();
        app.MapAdminApi();
        app.MapOperationsApi();
        app.MapHistoryApi();
        app.MapAgentGateway();
        app.MapDashboard();
        return app;
    }
}
