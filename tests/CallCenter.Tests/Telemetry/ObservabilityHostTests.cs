using System.Net;
using System.Net.Http.Json;
using System.Text;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Tests.Infrastructure;
using CallCenter.Tests.Silo;

namespace CallCenter.Tests.Telemetry;

/// <summary>The real silo process: Prometheus text on /metrics and the Orleans dashboard under /dashboard for admins only.</summary>
public sealed class ObservabilityHostTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private HttpClient Http => fixture.Silo.Http;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Metrics_AfterACallPlacedOverHttp_ServeTheCallAndQueueSeries_InPrometheusText_WithoutTheCallId()
    {
        var placed = await Http.PostAsync("/api/calls", Json("""{"siteId":"london","dialledNumber":"2000","callerNumber":"+441999"}"""));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var call = (await placed.Content.ReadFromJsonAsync<CallSnapshot>(JsonDefaults.Options))!;
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/calls/{call.CallId}/hangup", Json("""{"party":"Caller"}"""))).StatusCode);

        var text = "";
        await Eventually.HoldsAsync(
            async () =>
            {
                // The exporter caches a scrape for a moment: ask again until the ended call is in it.
                text = await Http.GetStringAsync("/metrics");
                return text.Contains("callcenter_calls_ended_total{") && text.Contains("outcome=\"abandoned\"");
            },
            "the ended call in the Prometheus scrape");

        Assert.Contains("# TYPE callcenter_calls_ended_total counter", text);
        Assert.Contains("callcenter_calls_arrived_total{", text);
        Assert.Matches("callcenter_calls_ended_total\\{[^}]*outcome=\"abandoned\"[^}]*queue=\"support\"[^}]*site=\"london\"", text);
        Assert.Matches("callcenter_queue_wait_seconds_bucket\\{[^}]*queue=\"support\"[^}]*result=\"abandoned\"", text);
        Assert.Contains("orleans_", text);
        Assert.DoesNotContain(call.CallId, text);
    }

    [Fact]
    public async Task Metrics_CountAnOpenDesktopEventStream_AsAGrpcSessionByRole()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Silo.AgentGatewayPort}");
        var desk = new CallCenter.Gateway.V1.AgentDesk.AgentDeskClient(channel);
        var login = await desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "erin", Secret = "erin-desk" });
        using var cancel = new CancellationTokenSource();
        using var stream = desk.Events(new CallCenter.Gateway.V1.EventsRequest(), new Grpc.Core.Metadata { { "authorization", "Bearer " + login.Token } }, cancellationToken: cancel.Token);
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token), "the session's first event");

        await Eventually.HoldsAsync(
            async () => (await Http.GetStringAsync("/metrics")).Contains("callcenter_gateway_sessions_opened_total{otel_scope_name=\"CallCenter.Gateway\",otel_scope_version=\"1.0\",role=\"agent\"}"),
            "the open event stream in the Prometheus scrape");
        var text = await Http.GetStringAsync("/metrics");
        Assert.Matches("callcenter_gateway_sessions\\{[^}]*role=\"agent\"\\} [1-9]", text);
        await cancel.CancelAsync();
    }

    [Fact]
    public async Task Dashboard_IsServedToTheLoopbackAdmin_AndRefusedToAnAgentToken()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Silo.AgentGatewayPort}");
        var login = await new CallCenter.Gateway.V1.AgentDesk.AgentDeskClient(channel).LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "carol", Secret = "carol-desk" });
        async Task<HttpStatusCode> GetAsync(string path, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (token is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            return (await Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync("/dashboard/", null));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/dashboard/", login.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/dashboard/", login.Token + "x"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/metrics", null));
    }
}
