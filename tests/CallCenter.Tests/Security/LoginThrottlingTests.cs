using System.Net;
using System.Net.Http.Json;
using CallCenter.Model;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>
/// Failed logins lock a user and a client address separately, the address without its port (a new connection per
/// attempt is the same client); forwarded addresses are believed only from configured proxies; every gRPC command is
/// limited per user.
/// </summary>
public sealed class LoginThrottlingTests
{
    private const string Secret = "a secret of this test";

    private static Dictionary<string, string?> Limits(int perUser, int perAddress, int commandsPerMinute = 600, int loginsPerAddress = 1000, int loginsPerUser = 1000) => new()
    {
        ["CallCenter:Http:LoginsPerMinute"] = loginsPerAddress.ToString(),
        ["CallCenter:Http:LoginsPerMinutePerUser"] = loginsPerUser.ToString(),
        ["CallCenter:Gateway:MaxFailedLogins"] = perUser.ToString(),
        ["CallCenter:Gateway:MaxFailedLoginsPerAddress"] = perAddress.ToString(),
        ["CallCenter:Gateway:CommandsPerMinute"] = commandsPerMinute.ToString(),
    };

    private static async Task<StatusCode> GrpcLoginAsync(SiloWebHost host, string userId, string secret, string? forwardedFor = null)
    {
        // A new channel each time: a new connection from a new source port, as a password sprayer would open.
        using var channel = host.CreateChannel();
        try
        {
            var headers = forwardedFor is null ? null : new Metadata { { "x-forwarded-for", forwardedFor } };
            await new Proto.AgentDesk.AgentDeskClient(channel).LoginAsync(new Proto.LoginRequest { UserId = userId, Secret = secret }, headers);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    private static async Task<HttpStatusCode> HttpLoginAsync(SiloWebHost host, string userId, string secret, string? forwardedFor = null)
    {
        using var http = host.CreateHttp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session/login") { Content = JsonContent.Create(new { userId, secret }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Grpc_SprayingUsersFromOneAddress_OverNewConnections_LocksTheAddress()
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 3, perAddress: 4));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(StatusCode.Unauthenticated, await GrpcLoginAsync(host, $"sprayed-{i}", "guess"));
        }

        Assert.Equal(StatusCode.ResourceExhausted, await GrpcLoginAsync(host, "sup", Secret));
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AUsersFailures_LockThatUser_NotEveryoneBehindTheSameAddress(bool overGrpc)
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 3, perAddress: 10));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);
        await host.AddUserAsync("victim", UserRole.Supervisor, Secret);

        for (var i = 0; i < 3; i++)
        {
            if (overGrpc)
            {
                await GrpcLoginAsync(host, "victim", "guess");
            }
            else
            {
                await HttpLoginAsync(host, "victim", "guess");
            }
        }

        if (overGrpc)
        {
            Assert.Equal(StatusCode.ResourceExhausted, await GrpcLoginAsync(host, "victim", Secret));
            Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret));
        }
        else
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await HttpLoginAsync(host, "victim", Secret));
            Assert.Equal(HttpStatusCode.OK, await HttpLoginAsync(host, "sup", Secret));
        }
    }

    [Fact]
    public async Task Http_ForwardedFor_FromAnUnconfiguredProxy_IsNotBelieved()
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 3, perAddress: 4));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await HttpLoginAsync(host, $"sprayed-{i}", "guess", forwardedFor: $"10.0.0.{i}"));
        }

        // Whatever the header claims, the client is the connection's address: locked.
        Assert.Equal(HttpStatusCode.TooManyRequests, await HttpLoginAsync(host, "sup", Secret, forwardedFor: "10.0.0.99"));
    }

    [Fact]
    public async Task Http_ForwardedFor_FromAConfiguredProxy_LocksTheForwardedClientOnly()
    {
        var settings = Limits(perUser: 3, perAddress: 4);
        settings["CallCenter:Http:KnownProxies:0"] = "127.0.0.1";
        await using var host = await SiloWebHost.StartAsync(settings);
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await HttpLoginAsync(host, $"sprayed-{i}", "guess", forwardedFor: "10.0.0.1"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await HttpLoginAsync(host, "sup", Secret, forwardedFor: "10.0.0.1"));
        Assert.Equal(HttpStatusCode.OK, await HttpLoginAsync(host, "sup", Secret, forwardedFor: "10.0.0.2"));
    }

    [Fact]
    public async Task Grpc_EveryCommand_IsLimitedPerUser()
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 3, perAddress: 10, commandsPerMinute: 5));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);
        await host.AddUserAsync("sup2", UserRole.Supervisor, Secret);
        using var channel = host.CreateChannel();
        var desk = new Proto.AgentDesk.AgentDeskClient(channel);
        var supervisor = new Proto.Supervisor.SupervisorClient(channel);
        Metadata Auth(string token) => new() { { "authorization", "Bearer " + token } };
        var sup = Auth((await desk.LoginAsync(new Proto.LoginRequest { UserId = "sup", Secret = Secret })).Token);
        var sup2 = Auth((await desk.LoginAsync(new Proto.LoginRequest { UserId = "sup2", Secret = Secret })).Token);

        for (var i = 0; i < 5; i++)
        {
            await supervisor.ListQueuesAsync(new Proto.ListQueuesRequest(), sup);
        }

        var limited = await Assert.ThrowsAsync<RpcException>(() => supervisor.ListAgentsAsync(new Proto.ListAgentsRequest(), sup).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        await supervisor.ListQueuesAsync(new Proto.ListQueuesRequest(), sup2);
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await supervisor.ListQueuesAsync(new Proto.ListQueuesRequest(), sup);
    }

    [Fact]
    public async Task LoginsFromOneAddress_PastTheLimit_AreRefused_OverEitherTransport_EvenWithTheRightSecret()
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 100, perAddress: 100, loginsPerAddress: 3));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);
        await host.AddUserAsync("sup2", UserRole.Supervisor, Secret);

        // Right secrets, new connections, both transports: every attempt counts against the address.
        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret));
        Assert.Equal(HttpStatusCode.OK, await HttpLoginAsync(host, "sup2", Secret));
        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup2", Secret));

        Assert.Equal(StatusCode.ResourceExhausted, await GrpcLoginAsync(host, "sup", Secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, await HttpLoginAsync(host, "sup", Secret));
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoginsForOneUser_FromManyAddresses_PastTheLimit_AreRefused_OtherUsersAreNot(bool overGrpc)
    {
        var settings = Limits(perUser: 100, perAddress: 100, loginsPerUser: 2);
        settings["CallCenter:Http:KnownProxies:0"] = "127.0.0.1";
        await using var host = await SiloWebHost.StartAsync(settings);
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);
        await host.AddUserAsync("sup2", UserRole.Supervisor, Secret);
        async Task<bool> LoginAsync(string userId, string address) => overGrpc
            ? await GrpcLoginAsync(host, userId, Secret, address) == StatusCode.OK
            : await HttpLoginAsync(host, userId, Secret, address) == HttpStatusCode.OK;

        Assert.True(await LoginAsync("sup", "10.0.0.1"));
        Assert.True(await LoginAsync("sup", "10.0.0.2"));

        Assert.False(await LoginAsync("sup", "10.0.0.3"));
        Assert.True(await LoginAsync("sup2", "10.0.0.3"));
    }

    [Fact]
    public async Task Grpc_ForwardedFor_IsBelievedOnlyFromAConfiguredProxy()
    {
        await using var host = await SiloWebHost.StartAsync(Limits(perUser: 100, perAddress: 100, loginsPerAddress: 2));
        await host.AddUserAsync("sup", UserRole.Supervisor, Secret);

        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret, "10.0.0.1"));
        Assert.Equal(StatusCode.OK, await GrpcLoginAsync(host, "sup", Secret, "10.0.0.2"));

        // Whatever the header claims, the client is the connection's address (no proxy configured): its minute is used.
        Assert.Equal(StatusCode.ResourceExhausted, await GrpcLoginAsync(host, "sup", Secret, "10.0.0.3"));
    }
}
