using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>
/// A session ends when it should: logout (HTTP and gRPC), an admin's sign-out of the user, and a changed secret each
/// make every token the user held refused, over HTTP and gRPC alike; the user logs in again for a new one.
/// </summary>
public sealed class SessionRevocationTests(SessionRevocationTests.Fixture fixture) : IClassFixture<SessionRevocationTests.Fixture>
{
    private const string Secret = "a secret of this test";

    public sealed class Fixture : IAsyncLifetime
    {
        public SiloWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["CallCenter:Http:AllowAnonymousLoopback"] = "false" });
            var applied = await Host.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
            {
                Sites = [new SiteDefinition { Id = "north", Name = "North" }],
                Skills = ["sales"],
                ReasonCodes = ["break"],
                Agents = [new AgentDefinition { Id = "desk-agent", Name = "Desk", SiteId = "north", Skills = [new SkillLevel("sales", 5)] }],
            });
            Assert.True(applied.Applied);
            await Host.AddUserAsync("admin", UserRole.Admin, Secret);
            await Host.AddUserAsync("desk-agent", UserRole.Agent, Secret);
            foreach (var user in new[] { "sup-logout", "sup-signed-out", "sup-secret", "sup-other" })
            {
                await Host.AddUserAsync(user, UserRole.Supervisor, Secret);
            }
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private SiloWebHost Host => fixture.Host;

    private async Task<string> LoginAsync(string userId, string secret = Secret)
    {
        using var http = Host.CreateHttp();
        var response = await http.PostAsJsonAsync("/api/session/login", new { userId, secret });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<HttpStatusCode> HttpAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }

    /// <summary>Whether the token still works: over HTTP (GET /api/session) and over gRPC (ListQueues), which must agree.</summary>
    private async Task<bool> WorksAsync(string token)
    {
        var overHttp = await HttpAsync(HttpMethod.Get, "/api/session", token) == HttpStatusCode.OK;
        using var channel = Host.CreateChannel();
        StatusCode overGrpc;
        try
        {
            await new Proto.Supervisor.SupervisorClient(channel).ListQueuesAsync(new Proto.ListQueuesRequest(), new Metadata { { "authorization", "Bearer " + token } });
            overGrpc = StatusCode.OK;
        }
        catch (RpcException exception)
        {
            overGrpc = exception.StatusCode;
        }

        Assert.Equal(overHttp ? StatusCode.OK : StatusCode.Unauthenticated, overGrpc);
        return overHttp;
    }

    [Fact]
    public async Task HttpLogout_EndsEveryTokenOfTheUser_NotOthers()
    {
        var first = await LoginAsync("sup-logout");
        var second = await LoginAsync("sup-logout");
        var other = await LoginAsync("sup-other");

        Assert.Equal(HttpStatusCode.OK, await HttpAsync(HttpMethod.Post, "/api/session/logout", first));

        Assert.False(await WorksAsync(first));
        Assert.False(await WorksAsync(second));
        Assert.True(await WorksAsync(other));
        Assert.True(await WorksAsync(await LoginAsync("sup-logout")));
    }

    [Fact]
    public async Task GrpcLogout_EndsTheAgentsToken()
    {
        using var channel = Host.CreateChannel();
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var login = await desk.LoginAsync(new Proto.LoginRequest { UserId = "desk-agent", Secret = Secret });
        var auth = new Metadata { { "authorization", "Bearer " + login.Token } };
        await desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.NotReady, ReasonCode = "break" }, auth);

        await desk.LogoutAsync(new Proto.LogoutRequest(), auth);

        var refused = await Assert.ThrowsAsync<RpcException>(() => desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.Available }, auth).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await HttpAsync(HttpMethod.Get, "/api/agents/desk-agent", login.Token));
    }

    [Fact]
    public async Task AnAdminsSignOut_EndsTheUsersTokens()
    {
        var token = await LoginAsync("sup-signed-out");
        var admin = await LoginAsync("admin");

        Assert.Equal(HttpStatusCode.OK, await HttpAsync(HttpMethod.Post, "/api/admin/users/sup-signed-out/logout", admin));

        Assert.False(await WorksAsync(token));
        Assert.True(await WorksAsync(admin));
        Assert.Equal(HttpStatusCode.NotFound, await HttpAsync(HttpMethod.Post, "/api/admin/users/no-such-user/logout", admin));
        Assert.Equal(HttpStatusCode.Forbidden, await HttpAsync(HttpMethod.Post, "/api/admin/users/admin/logout", await LoginAsync("sup-other")));
    }

    [Fact]
    public async Task ASecretChange_EndsTheOldTokens_AndOnlyTheNewSecretLogsIn()
    {
        var token = await LoginAsync("sup-secret");

        Assert.Equal(HttpStatusCode.Forbidden, await HttpAsync(HttpMethod.Post, "/api/session/secret", token, new { currentSecret = "wrong", newSecret = "a new secret of this test" }));
        Assert.True(await WorksAsync(token));
        Assert.Equal(HttpStatusCode.BadRequest, await HttpAsync(HttpMethod.Post, "/api/session/secret", token, new { currentSecret = Secret, newSecret = "admin-desk" }));
        Assert.Equal(HttpStatusCode.OK, await HttpAsync(HttpMethod.Post, "/api/session/secret", token, new { currentSecret = Secret, newSecret = "a new secret of this test" }));

        Assert.False(await WorksAsync(token));
        using var http = Host.CreateHttp();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/session/login", new { userId = "sup-secret", secret = Secret })).StatusCode);
        Assert.True(await WorksAsync(await LoginAsync("sup-secret", "a new secret of this test")));
    }

    [Fact]
    public async Task ARoleChange_EndsTheUsersTokens()
    {
        var token = await LoginAsync("sup-other");
        var directory = Host.Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        var user = (await directory.FindAsync("sup-other"))!;

        await directory.UpsertAsync(user with { Role = UserRole.Admin });

        Assert.False(await WorksAsync(token));
        await directory.UpsertAsync(user);
    }
}
