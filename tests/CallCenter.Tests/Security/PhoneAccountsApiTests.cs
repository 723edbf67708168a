using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Grains;
using CallCenter.Model;

namespace CallCenter.Tests.Security;

/// <summary>
/// Phone accounts over the HTTP API: the platform admin creates, lists and removes them at run time; an agent sets only
/// its own from its desktop; bad input is 400 with a message and stores nothing; the directory holds HA1, never a password.
/// </summary>
public sealed class PhoneAccountsApiTests(PhoneAccountsApiTests.Fixture fixture) : IClassFixture<PhoneAccountsApiTests.Fixture>
{
    private const string Secret = "a secret of this test";
    private const string Realm = "callcenter";

    public sealed class Fixture : IAsyncLifetime
    {
        public SiloWebHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Host = await SiloWebHost.StartAsync(new Dictionary<string, string?> { ["CallCenter:Http:AllowAnonymousLoopback"] = "false" });
            var applied = await Host.Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(new ContactCenterConfiguration
            {
                Tenants = [new TenantDefinition { Id = "acme", Name = "Acme" }],
                Sites = [new SiteDefinition { Id = "north", Name = "North" }],
                Skills = ["sales"],
                ReasonCodes = ["break"],
                Agents =
                [
                    new AgentDefinition { Id = "phone-agent", Name = "Phone", SiteId = "north", Skills = [new SkillLevel("sales", 5)] },
                    new AgentDefinition { Id = "other-agent", Name = "Other", SiteId = "north", Skills = [new SkillLevel("sales", 5)] },
                    new AgentDefinition { Id = "acme-agent", Name = "Acme", TenantId = "acme", SiteId = "north", Skills = [new SkillLevel("sales", 5)] },
                ],
            });
            Assert.True(applied.Applied, string.Join("; ", applied.Errors));
            await Host.AddUserAsync("admin", UserRole.Admin, Secret);
            await Host.AddUserAsync("acme-admin", UserRole.Admin, Secret, tenant: "acme");
            await Host.AddUserAsync("supervisor", UserRole.Supervisor, Secret);
            await Host.AddUserAsync("phone-agent", UserRole.Agent, Secret);
            await Host.AddUserAsync("other-agent", UserRole.Agent, Secret);
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private SiloWebHost Host => fixture.Host;

    private IPhoneAccountDirectoryGrain Directory => Host.Grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);

    private async Task<string> LoginAsync(string userId)
    {
        using var http = Host.CreateHttp();
        var response = await http.PostAsJsonAsync("/api/session/login", new { userId, secret = Secret });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string token, object? body = null)
    {
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AdminPut_StoresHa1OfThePassword_NeverThePassword_AndListShowsNoSecret()
    {
        var admin = await LoginAsync("admin");
        const string password = "Phone-Pass-2026";

        var (status, body) = await SendAsync(HttpMethod.Put, "/api/admin/phones/phone-agent", admin, new { password });
        Assert.Equal(HttpStatusCode.OK, status);

        var stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "phone-agent");
        Assert.Equal(PhoneDigest.Md5Ha1("phone-agent", Realm, password), stored.Ha1Md5);
        Assert.Equal(PhoneDigest.Sha256Ha1("phone-agent", Realm, password), stored.Ha1Sha256);
        Assert.Equal("phone-agent", stored.AgentId);
        Assert.DoesNotContain(password, JsonSerializer.Serialize(await Directory.ListAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(password, body, StringComparison.Ordinal);

        var (listed, list) = await SendAsync(HttpMethod.Get, "/api/admin/phones", admin);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains("phone-agent", list, StringComparison.Ordinal);
        Assert.DoesNotContain(stored.Ha1Md5, list, StringComparison.Ordinal);
        Assert.DoesNotContain("ha1", list, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AdminPut_WithHa1Values_StoresThem()
    {
        var admin = await LoginAsync("admin");
        var md5 = PhoneDigest.Md5Ha1("other-agent", Realm, "computed-elsewhere");
        var sha = PhoneDigest.Sha256Ha1("other-agent", Realm, "computed-elsewhere");

        var (status, _) = await SendAsync(HttpMethod.Put, "/api/admin/phones/other-agent", admin, new { ha1Md5 = md5.ToUpperInvariant(), ha1Sha256 = sha });

        Assert.Equal(HttpStatusCode.OK, status);
        var stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "other-agent");
        Assert.Equal((md5, sha), (stored.Ha1Md5, stored.Ha1Sha256));
    }

    [Theory]
    [InlineData("phone-agent", "{\"password\":\"short\"}", "password")]
    [InlineData("phone-agent", "{\"password\":\"has a space in it\"}", "password")]
    [InlineData("phone-agent", "{\"password\":\"quote\\\"inside-it\"}", "password")]
    [InlineData("phone-agent", "{\"password\":\"alice-phone\"}", "demo secret")]
    [InlineData("phone-agent", "{}", "password")]
    [InlineData("phone-agent", "{\"ha1Md5\":\"abc\",\"ha1Sha256\":\"def\"}", "ha1Md5")]
    [InlineData("phone-agent", "{\"password\":\"long-enough-1\",\"ha1Md5\":\"00000000000000000000000000000000\"}", "not both")]
    [InlineData("bad%20name", "{\"password\":\"long-enough-1\"}", "username")]
    public async Task AdminPut_BadInput_Is400WithAMessage_AndStoresNothing(string agentId, string json, string mentions)
    {
        var admin = await LoginAsync("admin");
        var before = await Directory.ListAsync();
        using var http = Host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/admin/phones/" + agentId)
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentions, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await Directory.ListAsync());
    }

    [Fact]
    public async Task AdminPut_ForAnUnknownAgent_Is404()
    {
        var admin = await LoginAsync("admin");

        var (status, body) = await SendAsync(HttpMethod.Put, "/api/admin/phones/nobody-here", admin, new { password = "long-enough-1" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("nobody-here", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("phone-agent")]
    [InlineData("supervisor")]
    [InlineData("acme-admin")]
    public async Task NonPlatformAdmins_CannotManagePhones(string userId)
    {
        var token = await LoginAsync(userId);

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, "/api/admin/phones/other-agent", token, new { password = "not-my-phone-1" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/admin/phones", token)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Delete, "/api/admin/phones/other-agent", token)).Status);
    }

    [Fact]
    public async Task AdminDelete_RemovesTheAccount_ThenIs404()
    {
        var admin = await LoginAsync("admin");
        await Directory.PutAsync(PhoneDigest.Create("acme-agent", "acme-agent", "acme", Realm, "to-be-removed-1"));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, "/api/admin/phones/acme-agent", admin)).Status);
        Assert.DoesNotContain(await Directory.ListAsync(), account => account.Username == "acme-agent");
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, "/api/admin/phones/acme-agent", admin)).Status);
    }

    [Fact]
    public async Task AgentProvisionsItsOwnPhone_GeneratedPasswordReturnedOnce_ChosenOneNotEchoed()
    {
        var agent = await LoginAsync("phone-agent");

        var (status, body) = await SendAsync(HttpMethod.Post, "/api/session/phone", agent);
        Assert.Equal(HttpStatusCode.OK, status);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("phone-agent", answer.GetProperty("username").GetString());
        var generated = answer.GetProperty("password").GetString()!;
        var stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "phone-agent");
        Assert.Equal(PhoneDigest.Md5Ha1("phone-agent", Realm, generated), stored.Ha1Md5);

        var (chosenStatus, chosenBody) = await SendAsync(HttpMethod.Post, "/api/session/phone", agent, new { password = "My-Own-Phone-1" });
        Assert.Equal(HttpStatusCode.OK, chosenStatus);
        Assert.DoesNotContain("My-Own-Phone-1", chosenBody, StringComparison.Ordinal);
        stored = Assert.Single(await Directory.ListAsync(), account => account.Username == "phone-agent");
        Assert.Equal(PhoneDigest.Sha256Ha1("phone-agent", Realm, "My-Own-Phone-1"), stored.Ha1Sha256);

        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, "/api/session/phone", agent, new { password = "short" })).Status);
    }

    [Fact]
    public async Task OnlyAgentsProvisionAPhone_ForThemselvesOnly()
    {
        var supervisor = await LoginAsync("supervisor");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/api/session/phone", supervisor)).Status);

        var other = await LoginAsync("other-agent");
        var before = (await Directory.ListAsync()).SingleOrDefault(account => account.Username == "phone-agent");
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/session/phone", other, new { password = "Other-Phone-1" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("other-agent", JsonDocument.Parse(body).RootElement.GetProperty("username").GetString());
        Assert.Equal(before, (await Directory.ListAsync()).SingleOrDefault(account => account.Username == "phone-agent"));
    }
}
