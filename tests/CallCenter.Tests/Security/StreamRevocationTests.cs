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
/// A revoked session loses its long-lived streams too, not only its next request: the desktop's gRPC event stream ends
/// with UNAUTHENTICATED and the wallboard's server-sent events end with "event: session-ended", for every way a session
/// is revoked (logout over gRPC and HTTP, an admin's sign-out, a supervisor's force-logout over gRPC and HTTP, a changed
/// secret, a changed role, the user removed); another user's stream goes on. The status carries the session-ended trailer,
/// so a desktop does not log straight back in.
/// </summary>
public sealed class StreamRevocationTests(StreamRevocationTests.Fixture fixture) : IClassFixture<StreamRevocationTests.Fixture>
{
    private const string Secret = "a secret of this test";

    private static readonly string[] HttpRevocationNames = ["http-logout", "admin-sign-out", "secret-change", "role-change", "user-removed"];

    private static readonly string[] RevocationNames = ["grpc-logout", "supervisor-grpc-force-logout", "supervisor-http-force-logout", .. HttpRevocationNames];

    private const string ForcingSupervisor = "force-supervisor";

    public static TheoryData<string> Revocations => [.. RevocationNames];

    public static TheoryData<string> HttpRevocations => [.. HttpRevocationNames];

    public sealed class Fixture : IAsyncLifetime
    {
        public SiloWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await SiloWebHost.StartAsync(new Dictionary<string, string?>
            {
                ["CallCenter:Http:AllowAnonymousLoopback"] = "false",
                // The bystander's stream shows it is alive by its heartbeat.
                ["CallCenter:Gateway:HeartbeatSeconds"] = "1",
                ["CallCenter:Http:LoginsPerMinute"] = "1000",
                ["CallCenter:Http:LoginsPerMinutePerUser"] = "1000",
            });
            var agents = RevocationNames.Select(AgentOf).Append("bystander").ToList();
            var applied = await Host.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
            {
                Sites = [new SiteDefinition { Id = "north", Name = "North" }],
                Skills = ["sales"],
                ReasonCodes = ["break"],
                Agents = [.. agents.Select(id => new AgentDefinition { Id = id, Name = id, SiteId = "north", Skills = [new SkillLevel("sales", 5)] })],
            });
            Assert.True(applied.Applied, string.Join("; ", applied.Errors));
            await Host.AddUserAsync("admin", UserRole.Admin, Secret);
            foreach (var agent in agents)
            {
                await Host.AddUserAsync(agent, UserRole.Agent, Secret);
            }

            foreach (var revocation in HttpRevocationNames.Append("bystander").Append(ForcingSupervisor))
            {
                await Host.AddUserAsync(SupervisorOf(revocation), UserRole.Supervisor, Secret);
            }
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private SiloWebHost Host => fixture.Host;

    private static string AgentOf(string revocation) => "stream-" + revocation;

    private static string SupervisorOf(string revocation) => "wall-" + revocation;

    private static Metadata Auth(string token) => new() { { "authorization", "Bearer " + token } };

    [Theory]
    [MemberData(nameof(Revocations))]
    public async Task ARevokedSession_EndsItsOpenEventStream_WithUnauthenticated(string revocation)
    {
        var userId = AgentOf(revocation);
        using var channel = Host.CreateChannel();
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var token = (await desk.LoginAsync(new Proto.LoginRequest { UserId = userId, Secret = Secret })).Token;
        var bystanderToken = (await desk.LoginAsync(new Proto.LoginRequest { UserId = "bystander", Secret = Secret })).Token;
        using var bystander = desk.Events(new Proto.EventsRequest(), Auth(bystanderToken));
        using var events = desk.Events(new Proto.EventsRequest(), Auth(token));
        Assert.True(await events.ResponseStream.MoveNext().WaitAsync(TestTimeouts.Signal), "the stream should open with SessionStarted");
        Assert.NotNull(events.ResponseStream.Current.Session);
        Assert.True(await bystander.ResponseStream.MoveNext().WaitAsync(TestTimeouts.Signal));

        await RevokeAsync(revocation, userId, token, desk);

        var ended = await Assert.ThrowsAsync<RpcException>(() => ReadToEndAsync(events.ResponseStream));
        if (revocation.StartsWith("supervisor-", StringComparison.Ordinal))
        {
            // A force-logout also logs the agent out, which races the revocation in ending the stream (it may end
            // CANCELLED); what must hold is that the session is over: the token is refused as ended.
            ended = await Assert.ThrowsAsync<RpcException>(() => desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.Available }, Auth(token)).ResponseAsync);
        }

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains("session ended", ended.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("true", ended.Trailers.GetValue(global::CallCenter.Gateway.Contracts.SessionTrailers.Ended));
        // Another user's stream is not touched: it still delivers (a heartbeat at least).
        Assert.True(await bystander.ResponseStream.MoveNext().WaitAsync(TestTimeouts.Signal), "the bystander's stream should go on");
    }

    [Theory]
    [MemberData(nameof(HttpRevocations))]
    public async Task ARevokedSession_EndsItsWallboardStream(string revocation)
    {
        var userId = SupervisorOf(revocation);
        var token = await HttpLoginAsync(userId);
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/wallboard/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync().WaitAsync(TestTimeouts.Signal));

        await RevokeAsync(revocation, userId, token, desk: null);

        var rest = await reader.ReadToEndAsync().WaitAsync(TestTimeouts.Signal);
        Assert.Contains("event: session-ended", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamOpenedWithAnAlreadyRevokedToken_IsRefused()
    {
        using var channel = Host.CreateChannel();
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var token = (await desk.LoginAsync(new Proto.LoginRequest { UserId = "bystander", Secret = Secret })).Token;
        await Host.Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).RevokeSessionsAsync("bystander");

        using var events = desk.Events(new Proto.EventsRequest(), Auth(token));

        var refused = await Assert.ThrowsAsync<RpcException>(() => ReadToEndAsync(events.ResponseStream));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task ARevokedTokenOnAUnaryCall_CarriesTheSessionEndedTrailer_AnUnknownTokenDoesNot()
    {
        using var channel = Host.CreateChannel();
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var token = (await desk.LoginAsync(new Proto.LoginRequest { UserId = "bystander", Secret = Secret })).Token;
        Assert.Equal(HttpStatusCode.OK, await PostAsync("/api/session/logout", token));

        var revoked = await Assert.ThrowsAsync<RpcException>(() => desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.Available }, Auth(token)).ResponseAsync);
        var forged = await Assert.ThrowsAsync<RpcException>(() => desk.SetStateAsync(new Proto.SetStateRequest { State = Proto.AgentState.Available }, Auth("not-a-token")).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);
        Assert.Equal("true", revoked.Trailers.GetValue(global::CallCenter.Gateway.Contracts.SessionTrailers.Ended));
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
        Assert.Null(forged.Trailers.GetValue(global::CallCenter.Gateway.Contracts.SessionTrailers.Ended));
    }

    [Fact]
    public async Task AnAgentLoggingItselfOutOfTheQueues_KeepsItsSession()
    {
        var token = await HttpLoginAsync("bystander");

        Assert.Equal(HttpStatusCode.OK, await PostAsync("/api/agents/bystander/logout", token));

        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/agents/bystander");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    private static async Task ReadToEndAsync<T>(IAsyncStreamReader<T> stream)
    {
        while (await stream.MoveNext(CancellationToken.None).WaitAsync(TestTimeouts.Signal))
        {
        }
    }

    private async Task<string> HttpLoginAsync(string userId, string secret = Secret)
    {
        using var http = Host.CreateHttp();
        var response = await http.PostAsJsonAsync("/api/session/login", new { userId, secret });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task RevokeAsync(string revocation, string userId, string token, Proto.AgentDesk.AgentDeskClient? desk)
    {
        var directory = Host.Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        switch (revocation)
        {
            case "grpc-logout":
                await desk!.LogoutAsync(new Proto.LogoutRequest(), Auth(token));
                break;
            case "supervisor-grpc-force-logout":
                using (var channel = Host.CreateChannel())
                {
                    var supervisorToken = (await desk!.LoginAsync(new Proto.LoginRequest { UserId = SupervisorOf(ForcingSupervisor), Secret = Secret })).Token;
                    await new Proto.Supervisor.SupervisorClient(channel).ForceLogoutAsync(new Proto.ForceRequest { AgentId = userId }, Auth(supervisorToken));
                }

                break;
            case "supervisor-http-force-logout":
                Assert.Equal(HttpStatusCode.OK, await PostAsync($"/api/agents/{userId}/logout", await HttpLoginAsync(SupervisorOf(ForcingSupervisor))));
                break;
            case "http-logout":
                Assert.Equal(HttpStatusCode.OK, await PostAsync("/api/session/logout", token));
                break;
            case "admin-sign-out":
                Assert.Equal(HttpStatusCode.OK, await PostAsync($"/api/admin/users/{userId}/logout", await HttpLoginAsync("admin")));
                break;
            case "secret-change":
                Assert.Equal(HttpStatusCode.OK, await PostAsync("/api/session/secret", token, new { currentSecret = Secret, newSecret = "another secret of this test" }));
                break;
            case "role-change":
                var user = (await directory.FindAsync(userId))!;
                await directory.UpsertAsync(user with { Role = user.Role == UserRole.Agent ? UserRole.PartnerExpert : UserRole.Admin });
                break;
            case "user-removed":
                Assert.True(await directory.RemoveAsync(userId));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(revocation), revocation, null);
        }
    }

    private async Task<HttpStatusCode> PostAsync(string path, string token, object? body = null)
    {
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }
}
