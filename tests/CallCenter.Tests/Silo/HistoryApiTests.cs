using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Silo;

/// <summary>History, reports and staffing over HTTP against the real silo process (embedded default: memory history).</summary>
public sealed class HistoryApiTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private HttpClient Http => fixture.Silo.Http;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ErlangC_ReproducesTheWorkedCasesOfTheDesign()
    {
        const string Case = "/api/staffing/erlang-c?callsPerInterval=100&intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20";
        var fourteen = await Http.GetFromJsonAsync<JsonElement>($"{Case}&targetServiceLevel=0.8&shrinkage=0.3");
        var thirteen = await Http.GetFromJsonAsync<JsonElement>($"{Case}&targetServiceLevel=0.79");

        Assert.Equal(14, fourteen.GetProperty("agents").GetInt32());
        Assert.Equal(0.1741, fourteen.GetProperty("probabilityOfWaiting").GetDouble(), 4);
        Assert.Equal(0.8884, fourteen.GetProperty("serviceLevel").GetDouble(), 4);
        Assert.Equal(7.8, fourteen.GetProperty("asaSeconds").GetDouble(), 1);
        Assert.Equal(10.0 / 14, fourteen.GetProperty("occupancy").GetDouble(), 6);
        Assert.Equal(20, fourteen.GetProperty("agentsWithShrinkage").GetInt32()); // ceil(14 / 0.7)
        Assert.Equal(13, thirteen.GetProperty("agents").GetInt32());
        Assert.Equal(0.2853, thirteen.GetProperty("probabilityOfWaiting").GetDouble(), 4);
        Assert.Equal(0.7956, thirteen.GetProperty("serviceLevel").GetDouble(), 4);
        Assert.Equal(17.1, thirteen.GetProperty("asaSeconds").GetDouble(), 1);
        Assert.Equal(13, thirteen.GetProperty("agentsWithShrinkage").GetInt32());
    }

    [Fact]
    public async Task ErlangC_StaysFiniteForHundredsOfAgents()
    {
        var large = await Http.GetFromJsonAsync<JsonElement>("/api/staffing/erlang-c?callsPerInterval=10000&intervalSeconds=1800&ahtSeconds=300&thresholdSeconds=20&targetServiceLevel=0.9");

        Assert.InRange(large.GetProperty("agents").GetInt32(), 1667, 1800);
        Assert.InRange(large.GetProperty("serviceLevel").GetDouble(), 0.9, 1);
        Assert.True(double.IsFinite(large.GetProperty("asaSeconds").GetDouble()));
    }

    [Theory]
    [InlineData("intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20", "callsPerInterval is required")]
    [InlineData("callsPerInterval=x&intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20", "callsPerInterval")]
    [InlineData("callsPerInterval=100&intervalSeconds=0&ahtSeconds=180&thresholdSeconds=20", "intervalSeconds")]
    [InlineData("callsPerInterval=-1&intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20", "callsPerInterval")]
    [InlineData("callsPerInterval=100&intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20&targetServiceLevel=1", "targetServiceLevel")]
    [InlineData("callsPerInterval=100&intervalSeconds=1800&ahtSeconds=180&thresholdSeconds=20&shrinkage=1", "shrinkage")]
    [InlineData("callsPerInterval=1e12&intervalSeconds=1&ahtSeconds=180&thresholdSeconds=20", "Erlangs")]
    public async Task ErlangC_BadParameters_Are400WithAMessage(string query, string mentioned)
    {
        var response = await Http.GetAsync($"/api/staffing/erlang-c?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EndedCall_IsInTheHistory_AsJsonAndCsv_AndInTheIntervalReport()
    {
        var callId = $"hist-{Guid.NewGuid():N}";
        var from = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");
        Assert.Equal(HttpStatusCode.Created, (await Http.PostAsync("/api/calls", Json($$"""{"siteId":"london","dialledNumber":"2000","callId":"{{callId}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/calls/{callId}/hangup", Json("""{"party":"Caller"}"""))).StatusCode);
        var to = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O");
        var range = $"from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}";

        var json = await Http.GetFromJsonAsync<JsonElement>($"/api/history/calls?{range}&queueId=support&siteId=london");
        var csv = await Http.GetAsync($"/api/history/calls?{range}&format=csv");
        var report = await Http.GetFromJsonAsync<JsonElement>($"/api/reports/intervals?{range}&intervalMinutes=60&queueId=support");
        var reportCsv = await (await Http.GetAsync($"/api/reports/intervals?{range}&intervalMinutes=30&format=csv")).Content.ReadAsStringAsync();
        var otherTenant = await Http.GetFromJsonAsync<JsonElement>($"/api/history/calls?{range}&tenantId=nobody");

        var record = json.EnumerateArray().Single(r => r.GetProperty("callId").GetString() == callId);
        Assert.Equal("Abandoned", record.GetProperty("outcome").GetString());
        Assert.Equal("support", record.GetProperty("queueId").GetString());
        Assert.True(record.GetProperty("timeline").GetArrayLength() >= 3);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.StartsWith("callId,revision,tenantId,siteId,queueId,agentId", lines[0]);
        Assert.Contains(lines, line => line.StartsWith(callId + ",1,default,london,support,", StringComparison.Ordinal));
        var row = report.EnumerateArray().First(r => r.TryGetProperty("queueId", out var q) && q.GetString() == "support");
        Assert.True(row.GetProperty("offered").GetInt32() + row.GetProperty("shortAbandoned").GetInt32() >= 1);
        Assert.StartsWith("intervalStart,intervalMinutes,siteId,queueId,offered,answered,abandoned", reportCsv);
        Assert.Equal(0, otherTenant.GetArrayLength());
    }

    [Theory]
    [InlineData("/api/history/calls?from=yesterday", "from")]
    [InlineData("/api/history/calls?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "before")]
    [InlineData("/api/history/calls?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "31 days")]
    [InlineData("/api/history/calls?format=xml", "format")]
    [InlineData("/api/reports/intervals?intervalMinutes=20", "15, 30 or 60")]
    [InlineData("/api/reports/intervals?intervalMinutes=abc", "intervalMinutes")]
    [InlineData("/api/reports/forecast", "queueId is required")]
    [InlineData("/api/reports/forecast?queueId=support&date=tomorrow", "date")]
    [InlineData("/api/reports/forecast?queueId=support&weeks=0", "weeks")]
    // Extreme dates: DateTimeOffset's own limits, and beyond what arithmetic on them (default range, interval starts,
    // weeks back, the store's look-back) can reach, on every endpoint that takes a time or a date.
    [InlineData("/api/history/calls?to=0001-01-01", "outside")]
    [InlineData("/api/history/calls?from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z", "outside")]
    [InlineData("/api/history/calls?to=9999-12-31", "outside")]
    [InlineData("/api/history/calls?from=9999-12-30T00:00:00Z&to=9999-12-31T23:59:59Z", "outside")]
    [InlineData("/api/history/calls?format=csv&to=0001-01-01", "outside")]
    [InlineData("/api/reports/intervals?to=0001-01-01", "outside")]
    [InlineData("/api/reports/intervals?from=9999-12-31T00:00:00Z&to=9999-12-31T23:00:00Z", "outside")]
    [InlineData("/api/reports/forecast?queueId=support&date=0001-01-01", "outside")]
    [InlineData("/api/reports/forecast?queueId=support&date=9999-12-31", "outside")]
    public async Task HistoryAndReports_BadParameters_Are400WithAMessage(string path, string mentioned)
    {
        var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forecast_ForAQueue_ListsEveryIntervalOfTheDay()
    {
        var forecast = await Http.GetFromJsonAsync<JsonElement>("/api/reports/forecast?queueId=support&date=2026-03-02&intervalMinutes=60&shrinkage=0.3");

        Assert.Equal(24, forecast.GetProperty("intervals").GetArrayLength());
        Assert.Equal("support", forecast.GetProperty("queueId").GetString());
    }

    [Fact]
    public async Task Reports_AreForSupervisors_NotAgents()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Silo.AgentGatewayPort}");
        var desk = new CallCenter.Gateway.V1.AgentDesk.AgentDeskClient(channel);
        var agent = await desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "carol", Secret = "carol-desk" });
        var supervisor = await desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "sam", Secret = "sam-desk" });
        async Task<HttpStatusCode> GetAsync(string path, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return (await Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/history/calls", agent.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/reports/intervals", agent.Token));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/history/calls", supervisor.Token));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/reports/intervals?format=csv", supervisor.Token));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/staffing/erlang-c?callsPerInterval=10&intervalSeconds=900&ahtSeconds=120&thresholdSeconds=20", supervisor.Token));
    }
}
