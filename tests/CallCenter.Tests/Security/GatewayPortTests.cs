using System.Net;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>The agent gateway's port serves gRPC only: the HTTP API, /metrics, health and the page are not there.</summary>
public sealed class GatewayPortTests
{
    [Fact]
    public async Task TheGatewayPort_ServesGrpcOnly_WhileTheHttpPortServesTheRest()
    {
        await using var host = await SiloWebHost.StartAsync();
        // The gateway port speaks HTTP/2 only, without TLS: prior knowledge.
        using var gateway = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{host.GatewayPort}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var http = host.CreateHttp();
        var paths = new[] { "/metrics", "/health/live", "/health/ready", "/api/queues", "/api/admin/config", "/", "/index.html", "/wallboard.js", "/api/session" };

        foreach (var path in paths)
        {
            Assert.True((await gateway.GetAsync(path)).StatusCode == HttpStatusCode.NotFound, $"{path} is served on the gateway port");
            using var disguised = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent([]) };
            disguised.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            // Refused, or answered by gRPC itself (UNIMPLEMENTED), never by the HTTP endpoint.
            using var answer = await gateway.SendAsync(disguised);
            Assert.True(!answer.IsSuccessStatusCode || answer.Content.Headers.ContentType?.MediaType == "application/grpc",
                $"{path} is served on the gateway port to a request claiming gRPC: {(int)answer.StatusCode} {answer.Content.Headers.ContentType}");
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        using var channel = host.CreateChannel();
        var login = await Assert.ThrowsAsync<RpcException>(() => new Proto.AgentDesk.AgentDeskClient(channel).LoginAsync(new Proto.LoginRequest { UserId = "nobody", Secret = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, login.StatusCode);
    }
}
