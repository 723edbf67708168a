using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Web.Api;
using CallCenter.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallCenter.Tests.Silo;

/// <summary>The HTTP pipeline's security alone (no cluster): the fallback policy and the login rate limit.</summary>
public sealed class HttpPolicyTests
{
    [Fact]
    public async Task EndpointWithoutAPolicy_IsRefused_WhileAnUnknownPathIsStillNotFound()
    {
        await using var app = await StartAsync(new Dictionary<string, string?>(), web => web.MapGet("/undeclared", () => "open"));
        using var http = Client(app);

        var undeclared = await http.GetAsync("/undeclared");
        var unknown = await http.GetAsync("/no-such-route");

        // Loopback is the local operator (an admin), yet the route is refused: it names no policy.
        Assert.Equal(HttpStatusCode.Forbidden, undeclared.StatusCode);
        Assert.Contains("declares no authorization policy", await undeclared.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Login_PastTheLimitPerAddress_Is429WithRetryAfter()
    {
        await using var app = await StartAsync(new Dictionary<string, string?> { [HttpRateLimits.LoginsPerMinuteKey] = "2" }, web => web.MapWallboardApi());
        using var http = Client(app);

        // Without a gateway every login is 503; the limit counts requests, whatever their outcome.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await http.PostAsJsonAsync("/api/session/login", new { userId = "sup", secret = "x" })).StatusCode);
        }

        var limited = await http.PostAsJsonAsync("/api/session/login", new { userId = "sup", secret = "x" });

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("too many logins", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCallCenterSecurity();
        builder.Services.AddCallCenterRateLimits(builder.Configuration);
        // The wallboard's other routes take the grain factory; none of them is called here.
        builder.Services.AddSingleton<IGrainFactory>(_ => throw new InvalidOperationException("no cluster in this test"));
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) =>
        new() { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
}
