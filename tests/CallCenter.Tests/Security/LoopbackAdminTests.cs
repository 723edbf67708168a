using System.Net;
using System.Text;

namespace CallCenter.Tests.Security;

/// <summary>
/// The anonymous loopback admin answers only requests a page of this server (or a local tool) makes: a Host that is not
/// an allowed name (DNS rebinding) is refused, a state change from another origin is 403, one with a body that is not
/// JSON (a cross-site text/plain or form POST) is 415.
/// </summary>
public sealed class LoopbackAdminTests(LoopbackAdminTests.Fixture fixture) : IClassFixture<LoopbackAdminTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public SiloWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await SiloWebHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? host = null, string? origin = null, string? fetchSite = null, string? body = null, string contentType = "application/json")
    {
        using var http = fixture.Host.CreateHttp();
        using var request = new HttpRequestMessage(method, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        return (await http.SendAsync(request)).StatusCode;
    }

    private string Self => $"127.0.0.1:{fixture.Host.HttpPort}";

    [Theory]
    [InlineData("GET", "/api/admin/config")]
    [InlineData("GET", "/api/queues")]
    [InlineData("POST", "/api/agents/nobody/login")]
    [InlineData("GET", "/")]
    public async Task AHostThatIsNotLoopback_IsRefused_DnsRebinding(string method, string path)
    {
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(new HttpMethod(method), path, host: "rebound.attacker.example"));
        Assert.NotEqual(HttpStatusCode.BadRequest, await SendAsync(new HttpMethod(method), path, host: $"localhost:{fixture.Host.HttpPort}"));
    }

    [Theory]
    [InlineData("POST", "/api/agents/nobody/login")]
    [InlineData("PUT", "/api/admin/config")]
    [InlineData("DELETE", "/api/admin/agents/nobody")]
    [InlineData("POST", "/api/session/login")]
    public async Task AStateChange_FromAnotherOrigin_Is403(string method, string path)
    {
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(new HttpMethod(method), path, origin: "http://attacker.example", body: "{}"));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(new HttpMethod(method), path, origin: "null", body: "{}"));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(new HttpMethod(method), path, fetchSite: "cross-site", body: "{}"));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(new HttpMethod(method), path, origin: $"http://127.0.0.1:{fixture.Host.HttpPort + 1}", body: "{}"));
    }

    [Theory]
    [InlineData("POST", "/api/agents/nobody/login", "text/plain")]
    [InlineData("POST", "/api/agents/nobody/login", "application/x-www-form-urlencoded")]
    [InlineData("PUT", "/api/admin/config", "text/plain")]
    [InlineData("POST", "/api/calls", "multipart/form-data; boundary=x")]
    public async Task AStateChange_WithABodyThatIsNotJson_Is415(string method, string path, string contentType)
    {
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await SendAsync(new HttpMethod(method), path, body: "{}", contentType: contentType));
    }

    [Fact]
    public async Task TheServersOwnPage_AndLocalTools_StillWork()
    {
        // Same origin (the wallboard page), no Origin at all (curl), JSON or no body.
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Post, "/api/agents/nobody/login", origin: $"http://{Self}", fetchSite: "same-origin", body: "{}"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Post, "/api/agents/nobody/login"));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/admin/config", origin: "http://attacker.example"));
    }
}
