using System.Net;
using CallCenter.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CallCenter.Tests.Security;

/// <summary>
/// The hosts the security tests start are the silo as src/Silo composes it (<c>SiloApplication</c>), not a copy of it:
/// what the product adds at start-up (here: the membership settings, the demo-secret sweep, the metrics guard) is
/// there too, so a product change cannot pass the isolation and revocation tests unseen.
/// </summary>
public sealed class SiloCompositionTests(TenantIsolationHost isolation) : IClassFixture<TenantIsolationHost>
{
    [Fact]
    public void TheTenantIsolationHost_RunsTheProductsComposition()
    {
        Assert.Contains(isolation.App.Services.GetServices<IHostedService>(), service => service.GetType().Name == "StoredDemoSecretSweep");
        Assert.NotNull(isolation.App.Services.GetService<SessionRevocations>());
        // Program.cs binds Orleans:Membership; a copy of the start-up that forgot it would keep Orleans' default.
        Assert.Equal(TenantIsolationHost.MembershipProbeLimit, isolation.App.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.NumMissedProbesLimit);
    }

    [Fact]
    public async Task TheSiloWebHost_RunsTheProductsComposition()
    {
        await using var host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["Orleans:Membership:NumMissedProbesLimit"] = "7" });

        Assert.Equal(7, host.App.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value.NumMissedProbesLimit);
        Assert.Contains(host.App.Services.GetServices<IHostedService>(), service => service.GetType().Name == "StoredDemoSecretSweep");
    }

    [Fact]
    public async Task Metrics_AreThePlatforms_NotATenants()
    {
        var tenantAdmin = await isolation.TokenForAsync(TenantIsolationHost.PrincipalOf(TenantIsolationHost.TenantA, Model.UserRole.Admin));
        var platformAdmin = await isolation.TokenForAsync(new Principal("metrics-root", Model.UserRole.Admin, Model.TenantDefinition.DefaultTenantId, null, null, "s"));

        Assert.Equal(HttpStatusCode.Unauthorized, await GetMetricsAsync(null));
        Assert.Equal(HttpStatusCode.Forbidden, await GetMetricsAsync(tenantAdmin));
        Assert.Equal(HttpStatusCode.OK, await GetMetricsAsync(platformAdmin));

        async Task<HttpStatusCode> GetMetricsAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            if (token is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            return (await isolation.Http.SendAsync(request)).StatusCode;
        }
    }
}
