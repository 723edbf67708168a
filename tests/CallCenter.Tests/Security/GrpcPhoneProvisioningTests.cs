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
/// An agent's desktop provisions its own SIP phone account over gRPC as over HTTP: the same rules (agents and partner
/// experts only, their own account only, the same password rules), the generated password returned once, only HA1 stored.
/// </summary>
public sealed class GrpcPhoneProvisioningTests(GrpcPhoneProvisioningTests.Fixture fixture) : IClassFixture<GrpcPhoneProvisioningTests.Fixture>
{
    private const string Secret = "a secret of this test";
    private const string Realm = "callcenter";

    public sealed class Fixture : IAsyncLifetime
    {
        public SiloWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await SiloWebHost.StartAsync(new Dictionary<string, string?>
            {
                ["CallCenter:Http:AllowAnonymousLoopback"] = "false",
                ["CallCenter:Sip:AdvertisedAddress"] = "sip.example.net",
                ["CallCenter:Sip:Port"] = "5080",
            });
            var applied = await Host.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
            {
                Sites = [new SiteDefinition { Id = "north", Name = "North" }],
                Skills = ["sales"],
                ReasonCodes = ["break"],
                Agents =
                [
                    new AgentDefinition { Id = "grpc-phone-agent", Name = "Phone", SiteId = "north", Skills = [new SkillLevel("sales", 5)] },
                    new AgentDefinition { Id = "grpc-other-agent", Name = "Other", SiteId = "north", Skills = [new SkillLevel("sales", 5)] },
                ],
            });
            Assert.True(applied.Applied, string.Join("; ", applied.Errors));
            await Host.AddUserAsync("grpc-phone-agent", UserRole.Agent, Secret);
            await Host.AddUserAsync("grpc-other-agent", UserRole.Agent, Secret);
            await Host.AddUserAsync("grpc-supervisor", UserRole.Supervisor, Secret);
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private SiloWebHost Host => fixture.Host;

    private IPhoneAccountDirectoryGrain Directory => Host.Grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);

    private async Task<(Proto.AgentDesk.AgentDeskClient Desk, Metadata Auth, string Token)> LoginAsync(string userId, Grpc.Net.Client.GrpcChannel channel)
    {
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var token = (await desk.LoginAsync(new Proto.LoginRequest { UserId = userId, Secret = Secret })).Token;
        return (desk, new Metadata { { "authorization", "Bearer " + token } }, token);
    }

    [Fact]
    public async Task AnAgent_GetsAGeneratedPasswordOnce_AndTheRegistrar_OnlyHa1IsStored()
    {
        using var channel = Host.CreateChannel();
        var (desk, auth, _) = await LoginAsync("grpc-phone-agent", channel);

        var reply = await desk.ProvisionPhoneAsync(new Proto.ProvisionPhoneRequest(), auth);

        Assert.Equal("grpc-phone-agent", reply.Username);
        Assert.Equal(Realm, reply.Realm);
        Assert.Equal("sip.example.net:5080", reply.Registrar);
        Assert.Equal(20, reply.Password.Length);
        var stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "grpc-phone-agent");
        Assert.Equal(PhoneDigest.Md5Ha1("grpc-phone-agent", Realm, reply.Password), stored.Ha1Md5);
        Assert.DoesNotContain(reply.Password, JsonSerializer.Serialize(await Directory.ListAsync()), StringComparison.Ordinal);

        var chosen = await desk.ProvisionPhoneAsync(new Proto.ProvisionPhoneRequest { Password = "My-Own-Phone-1" }, auth);
        Assert.Equal("", chosen.Password);
        stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "grpc-phone-agent");
        Assert.Equal(PhoneDigest.Sha256Ha1("grpc-phone-agent", Realm, "My-Own-Phone-1"), stored.Ha1Sha256);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has a space in it")]
    [InlineData("alice-phone")]
    public async Task ABadPassword_IsInvalidArgument_AndChangesNothing(string password)
    {
        using var channel = Host.CreateChannel();
        var (desk, auth, _) = await LoginAsync("grpc-other-agent", channel);
        var before = (await Directory.ListAsync()).SingleOrDefault(account => account.Username == "grpc-other-agent");

        var refused = await Assert.ThrowsAsync<RpcException>(() => desk.ProvisionPhoneAsync(new Proto.ProvisionPhoneRequest { Password = password }, auth).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("password", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, (await Directory.ListAsync()).SingleOrDefault(account => account.Username == "grpc-other-agent"));
    }

    [Fact]
    public async Task ASupervisor_OrNoToken_IsRefused_OverGrpcAsOverHttp()
    {
        using var channel = Host.CreateChannel();
        var (desk, auth, token) = await LoginAsync("grpc-supervisor", channel);

        var denied = await Assert.ThrowsAsync<RpcException>(() => desk.ProvisionPhoneAsync(new Proto.ProvisionPhoneRequest(), auth).ResponseAsync);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => desk.ProvisionPhoneAsync(new Proto.ProvisionPhoneRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session/phone") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(request)).StatusCode);
        Assert.DoesNotContain(await Directory.ListAsync(), account => account.Username == "grpc-supervisor");
    }
}
