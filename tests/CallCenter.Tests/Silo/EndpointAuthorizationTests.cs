using CallCenter.Persistence;
using CallCenter.ServiceDefaults;
using CallCenter.Web;
using CallCenter.Web.Hosting;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.Tests.Silo;

/// <summary>
/// Every endpoint the silo maps (HTTP routes, gRPC methods, the dashboard, the service defaults) names an authorization
/// policy or says AllowAnonymous, so a route added without one fails here (and is refused by the fallback policy at run time).
/// </summary>
public sealed class EndpointAuthorizationTests
{
    /// <summary>The endpoints that answer without a session, each for a reason docs/gateway.md gives.</summary>
    private static readonly string[] Anonymous =
    [
        "/health/live", "/health/ready", "/metrics", "/wallboard", "/api/session/login", "/callcenter.gateway.v1.AgentDesk/Login",
        // gRPC's catch-alls: UNIMPLEMENTED for an unknown service or method.
        "{unimplementedService}/{unimplementedMethod:grpcunimplemented}",
        "callcenter.gateway.v1.AgentDesk/{unimplementedMethod:grpcunimplemented}",
        "callcenter.gateway.v1.Supervisor/{unimplementedMethod:grpcunimplemented}",
    ];

    [Fact]
    public async Task EveryEndpoint_NamesAPolicyOrAllowsAnonymous_AndOnlyTheListedOnesAreAnonymous()
    {
        await using var app = BuildSilo();

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>().ToList();
        var undeclared = endpoints
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
                && !endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(data => !string.IsNullOrEmpty(data.Policy)))
            .Select(Describe)
            .ToList();
        var anonymous = endpoints.Where(endpoint => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(Describe).Distinct().ToList();

        Assert.Empty(undeclared);
        Assert.Equal(Anonymous.Order(), anonymous.Order());
        // The census covers the HTTP API, the wallboard, both gRPC services and the dashboard.
        Assert.Contains(endpoints, endpoint => endpoint.RoutePattern.RawText == "/api/admin/config");
        Assert.Contains(endpoints, endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.ServiceName == "callcenter.gateway.v1.Supervisor");
        Assert.Contains(endpoints, endpoint => endpoint.RoutePattern.RawText?.StartsWith(Observability.DashboardPath, StringComparison.Ordinal) == true);
    }

    /// <summary>The silo's web application as src/Silo/Program.cs composes it (built, not started).</summary>
    private static WebApplication BuildSilo()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["CallCenter:Gateway:Port"] = "0",
        });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults("callcenter-silo", new TelemetrySources([], []));
        builder.UseOrleans(silo =>
        {
            silo.ConfigureCallCenterSilo(builder.Configuration);
            silo.AddCallCenterDiagnostics(builder.Configuration);
        });
        builder.AddCallCenterWeb();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapCallCenterWeb();
        return app;
    }

    private static string Describe(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc && grpc.Method.Name is { Length: > 0 } && !endpoint.RoutePattern.RawText!.Contains('{')
            ? $"/{grpc.Method.FullName.TrimStart('/')}"
            : endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "?";
}
