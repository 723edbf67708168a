using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.ServiceDefaults;
using CallCenter.Tests.Infrastructure;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>
/// The user and phone-account directories are stored (Redis): a cluster that once ran the demo keeps its users and
/// phones. Restarted outside the demo, no published demo secret opens anything: start-up removes the stored users and
/// phone accounts that hold one (and keeps the others), and a login with a published secret is refused whatever the store holds.
/// </summary>
public sealed class DemoSecretsAcrossRestartTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string OwnSecret = "a secret of our own";
    private const string OwnPhonePassword = "Own-Phone-Pass-1";

    private Dictionary<string, string?> Settings(string clusterId, bool demo)
    {
        var settings = RedisSilo.Settings(redis, clusterId);
        settings["CallCenter:Gateway:TokenSigningKey"] = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clusterId)));
        settings[DemoCredentials.EnabledKey] = demo ? "true" : "false";
        return settings;
    }

    [Fact]
    public async Task ADemoRunsStoredUsersAndPhones_AreRemovedAtARestartOutsideTheDemo_OthersStay()
    {
        var clusterId = "demo-restart-" + Guid.NewGuid().ToString("N");
        await using (var demo = await SiloWebHost.StartAsync(Settings(clusterId, demo: true)))
        {
            Assert.Equal(StatusCode.OK, await GrpcLoginAsync(demo, "alice", "alice-desk"));
            await demo.AddUserAsync("keeper", UserRole.Supervisor, OwnSecret);
            var phones = demo.Grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts);
            await phones.PutAsync(PhoneDigest.Create("alice", "alice", TenantDefinition.DefaultTenantId, "callcenter", "alice-phone"));
            await phones.PutAsync(PhoneDigest.Create("bob", "bob", TenantDefinition.DefaultTenantId, "callcenter", OwnPhonePassword));
        }

        await using var production = await SiloWebHost.StartAsync(Settings(clusterId, demo: false));

        var users = production.Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        Assert.Null(await users.FindAsync("alice"));
        Assert.Null(await users.FindAsync("admin"));
        Assert.NotNull(await users.FindAsync("keeper"));
        var stored = await production.Grains.GetGrain<IPhoneAccountDirectoryGrain>(GrainKeys.PhoneAccounts).ListAsync();
        Assert.Equal(["bob"], stored.Select(account => account.Username));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcLoginAsync(production, "alice", "alice-desk"));
        Assert.Equal(HttpStatusCode.Unauthorized, await HttpLoginAsync(production, "admin", "admin-desk"));
        Assert.Equal(HttpStatusCode.OK, await HttpLoginAsync(production, "keeper", OwnSecret));
    }

    [Fact]
    public async Task OutsideTheDemo_APublishedSecretNeverLogsIn_WhateverTheStoreHolds()
    {
        await using var production = await SiloWebHost.StartAsync(Settings("demo-login-" + Guid.NewGuid().ToString("N"), demo: false));
        // Stored after start-up, past every check but the login's own (as a store written by another version would be).
        await production.AddUserAsync("late-admin", UserRole.Admin, "admin-desk");
        await production.AddUserAsync("late-sup", UserRole.Supervisor, "REPLACE-WITH-A-RANDOM-STRING");

        Assert.Equal(HttpStatusCode.Unauthorized, await HttpLoginAsync(production, "late-admin", "admin-desk"));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcLoginAsync(production, "late-sup", "REPLACE-WITH-A-RANDOM-STRING"));
    }

    [Fact]
    public async Task InTheDemo_ThePublishedSecretsStillLogIn()
    {
        await using var demo = await SiloWebHost.StartAsync(Settings("demo-only-" + Guid.NewGuid().ToString("N"), demo: true));

        Assert.Equal(HttpStatusCode.OK, await HttpLoginAsync(demo, "admin", "admin-desk"));
    }

    private static async Task<StatusCode> GrpcLoginAsync(SiloWebHost host, string userId, string secret)
    {
        using var channel = host.CreateChannel();
        try
        {
            await new Proto.AgentDesk.AgentDeskClient(channel).LoginAsync(new Proto.LoginRequest { UserId = userId, Secret = secret });
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    private static async Task<HttpStatusCode> HttpLoginAsync(SiloWebHost host, string userId, string secret)
    {
        using var http = host.CreateHttp();
        return (await http.PostAsJsonAsync("/api/session/login", new { userId, secret })).StatusCode;
    }
}
