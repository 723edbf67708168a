using System.Net;

namespace CallCenter.Tests.Security;

/// <summary>Host filtering follows the posture: loopback names with anonymous loopback on; what <c>AllowedHosts</c> names otherwise.</summary>
public sealed class HostFilteringConfigurationTests
{
    private static async Task<HttpStatusCode> GetWithHostAsync(SiloWebHost host, string name)
    {
        using var http = host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = name;
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task WithoutAnonymousLoopback_AndNoAllowedHosts_AnyHostIsServed()
    {
        await using var host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["CallCenter:Http:AllowAnonymousLoopback"] = "false" });

        Assert.Equal(HttpStatusCode.OK, await GetWithHostAsync(host, "callcenter.example"));
    }

    [Fact]
    public async Task AllowedHosts_NamesTheHostsServed()
    {
        await using var host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["AllowedHosts"] = "callcenter.example;localhost" });

        Assert.Equal(HttpStatusCode.OK, await GetWithHostAsync(host, "callcenter.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetWithHostAsync(host, "other.example"));
    }
}
