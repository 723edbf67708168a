using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.Model;
using CallCenter.Persistence;
using CallCenter.ServiceDefaults;
using CallCenter.Web.Hosting;
using CallCenter.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Tests.Silo;

/// <summary>The embedded default as the README's run command starts it: a whole contact center answering HTTP on loopback.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    public SiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = SiloProcess.Start();
        await Silo.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class SiloHostTests(SiloHostFixture fixture) : IClassFixture<SiloHostFixture>
{
    private HttpClient Http => fixture.Silo.Http;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<ContactCenterConfiguration> ConfigurationAsync() =>
        (await Http.GetFromJsonAsync<ContactCenterConfiguration>("/api/admin/config", JsonDefaults.Options))!;

    [Fact]
    public async Task Start_WithNoConfiguration_ServesTheDemoContactCenter()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/ready")).StatusCode);
        var configuration = await ConfigurationAsync();
        Assert.Equal(2, configuration.Sites.Count);
        Assert.Equal(3, configuration.Queues.Count);
        Assert.InRange(configuration.Agents.Count, 10, 15);
        Assert.Contains(configuration.Agents, agent => agent.Kind == AgentKind.PartnerExpert);
        var queues = await Http.GetFromJsonAsync<JsonElement>("/api/queues");
        Assert.Equal(3, queues.GetArrayLength());
    }

    [Fact]
    public async Task PutQueue_Invalid_Returns400NamingTheFields_AndKeepsTheStoredQueue()
    {
        var before = await ConfigurationAsync();

        var response = await Http.PutAsync("/api/admin/queues/sales", Json("""{"id":"sales","name":"","stages":[{"afterSeconds":5,"scope":"OwnSite"}],"acceptTimeoutSeconds":-1}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("queues[0].name", body);
        Assert.Contains("queues[0].acceptTimeoutSeconds", body);
        Assert.Contains("queues[0].stages[0].afterSeconds", body);
        var after = await ConfigurationAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal("Sales", after.Queues.Single(queue => queue.Id == "sales").Name);
    }

    [Theory]
    [InlineData("{\"queues\": 5}", "queues")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("{\"sites\":[{\"id\":\"x\",\"name\":\"X\",\"color\":\"red\"}]}", "color")]
    public async Task PutConfig_MalformedBody_Returns400WithAMessage(string body, string mentioned)
    {
        var before = await ConfigurationAsync();

        var response = await Http.PutAsync("/api/admin/config", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, await response.Content.ReadAsStringAsync());
        Assert.Equal(before.Version, (await ConfigurationAsync()).Version);
    }

    [Fact]
    public async Task PutAgent_Valid_AppliesAndReachesTheAgent()
    {
        var before = await ConfigurationAsync();
        var agent = before.Agents.Single(a => a.Id == "bob") with { Skills = [new("sales", 7), new("support", 6), new("billing", 5)] };

        var response = await Http.PutAsync("/api/admin/agents/bob", JsonContent.Create(agent, options: JsonDefaults.Options));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before.Version + 1, (await ConfigurationAsync()).Version);
        var status = await Http.GetFromJsonAsync<AgentStatus>("/api/agents/bob", JsonDefaults.Options);
        Assert.Contains(status!.Definition!.Skills, skill => skill.Skill == "billing" && skill.Proficiency == 5);
    }

    [Fact]
    public async Task PutAgent_IdDiffersFromPath_Returns400()
    {
        var response = await Http.PutAsync("/api/admin/agents/alice", Json("""{"id":"mallory","name":"M","siteId":"london"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("differs", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostCall_ToAnEntryPoint_QueuesIt_AndAnUnknownNumberIs400()
    {
        var queued = await Http.PostAsync("/api/calls", Json("""{"siteId":"london","dialledNumber":"2000","callerNumber":"+441234"}"""));
        var unknown = await Http.PostAsync("/api/calls", Json("""{"siteId":"london","dialledNumber":"9999"}"""));
        var malformed = await Http.PostAsync("/api/calls", Json("""{"siteId":""}"""));

        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var call = await queued.Content.ReadFromJsonAsync<CallSnapshot>(JsonDefaults.Options);
        Assert.Equal("support", call!.QueueId);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("9999", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Consult_OverHttp_BadBodyIs400_AndACallWithoutAnAgentIs409()
    {
        var queued = await Http.PostAsync("/api/calls", Json("""{"siteId":"london","dialledNumber":"2000","callerNumber":"+441235"}"""));
        var call = await queued.Content.ReadFromJsonAsync<CallSnapshot>(JsonDefaults.Options);

        var noTarget = await Http.PostAsync($"/api/calls/{call!.CallId}/consult", Json("""{"agentId":"dave"}"""));
        var waiting = await Http.PostAsync($"/api/calls/{call.CallId}/consult", Json("""{"agentId":"dave","kind":"Agent","target":"erin"}"""));
        var complete = await Http.PostAsync($"/api/calls/{call.CallId}/consult/complete", Json("""{"agentId":"dave"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, noTarget.StatusCode);
        Assert.Contains("target", await noTarget.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, waiting.StatusCode);
        Assert.Contains("only a connected call", await waiting.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, complete.StatusCode);
        Assert.Equal(CallState.Queued, (await Http.GetFromJsonAsync<CallSnapshot>($"/api/calls/{call.CallId}", JsonDefaults.Options))!.State);
    }

    [Fact]
    public async Task DemoUsers_LogInToTheAgentGateway_OverGrpc()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Silo.AgentGatewayPort}");
        var desk = new CallCenter.Gateway.V1.AgentDesk.AgentDeskClient(channel);

        var expert = await desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "oscar", Secret = "oscar-desk" });
        var supervisor = await desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "sam", Secret = "sam-desk" });
        var wrong = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => desk.LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "alice", Secret = "alice-phone" }).ResponseAsync);

        Assert.Equal(CallCenter.Gateway.V1.Role.PartnerExpert, expert.Role);
        Assert.Equal("netpartner", expert.PartnerOrganization);
        Assert.Contains("resolved", expert.DispositionCodes);
        Assert.Equal(CallCenter.Gateway.V1.Role.Supervisor, supervisor.Role);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, wrong.StatusCode);
    }

    [Fact]
    public async Task HttpApi_WithAGatewayToken_AppliesTheSameAccessPolicy()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Silo.AgentGatewayPort}");
        var login = await new CallCenter.Gateway.V1.AgentDesk.AgentDeskClient(channel).LoginAsync(new CallCenter.Gateway.V1.LoginRequest { UserId = "carol", Secret = "carol-desk" });
        async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string token, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return (await Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "/api/agents/carol", login.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Get, "/api/agents/bob", login.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Get, "/api/admin/config", login.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Get, "/api/queues", login.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, "/api/agents/bob/available", login.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Get, "/api/agents/carol", login.Token + "x"));
        Assert.Equal(PresenceState.LoggedOut, (await Http.GetFromJsonAsync<AgentStatus>("/api/agents/bob", JsonDefaults.Options))!.Presence.State);
    }

    [Fact]
    public async Task AgentCommands_OverHttp_ChangePresence_AndBadReasonIs400()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync("/api/agents/dave/login", null)).StatusCode);
        var badReason = await Http.PostAsync("/api/agents/dave/not-ready", Json("""{"reasonCode":"nap"}"""));
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync("/api/agents/dave/not-ready", Json("""{"reasonCode":"lunch"}"""))).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        var status = await Http.GetFromJsonAsync<AgentStatus>("/api/agents/dave", JsonDefaults.Options);
        Assert.Equal(PresenceState.NotReady, status!.Presence.State);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/agents/nobody")).StatusCode);
    }
}

public sealed class SiloStartupTests
{
    [Fact]
    public async Task Start_RedisWithoutConnectionString_StopsNamingTheSetting()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string> { ["Orleans__Clustering__ProviderType"] = "Redis" });

        var exitCode = await silo.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains(OrleansHosting.ConnectionStringKey, silo.Output);
    }

    [Theory]
    [InlineData("Consul", "localhost:6379", "c", "s", null, OrleansHosting.ProviderTypeKey)]
    [InlineData("Redis", "localhost:6379", null, "s", null, "Orleans:ClusterId")]
    [InlineData("Redis", "localhost:6379,bogus=", "c", "s", null, OrleansHosting.ConnectionStringKey)]
    [InlineData("Redis", "localhost:6379", "c", "s", "not-an-ip", "CallCenter:AdvertisedAddress")]
    public void Configure_WrongProductionSetting_NamesIt(string provider, string connection, string? clusterId, string? serviceId, string? advertised, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            [OrleansHosting.ProviderTypeKey] = provider,
            [OrleansHosting.ConnectionStringKey] = connection,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = serviceId,
            ["CallCenter:AdvertisedAddress"] = advertised,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();

        var error = Assert.Throws<StartupConfigurationException>(() => builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(configuration)));

        Assert.Contains(named, error.Message);
    }
}

public sealed class DemoSwitchTests
{
    [Fact]
    public async Task Demo_SendsSimulatedCallersToSimulatedAgents()
    {
        await using var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["CallCenter__Demo__Enabled"] = "true",
            ["CallCenter__Demo__CallsPerMinute"] = "600",
        });
        await silo.WaitUntilReadyAsync();

        await Eventually.HoldsAsync(
            async () =>
            {
                var queues = await silo.Http.GetFromJsonAsync<QueueStatus[]>("/api/queues", JsonDefaults.Options);
                return queues!.Sum(queue => queue.Totals.Answered) > 0;
            },
            "simulated agents answering simulated callers",
            seconds: 60);

        var london = await silo.Http.GetFromJsonAsync<SiteStatus>("/api/sites/london", JsonDefaults.Options);
        Assert.True(london!.AgentsByState.Values.Sum() > 0, "no London agent reported a presence");
    }
}
