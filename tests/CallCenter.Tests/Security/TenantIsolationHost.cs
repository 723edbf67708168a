using System.Net;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Persistence;
using CallCenter.ServiceDefaults;
using CallCenter.Silo;
using CallCenter.Web;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CallCenter.Tests.Security;

/// <summary>
/// The silo as src/Silo composes it (<see cref="SiloApplication"/>, the path Program.cs runs: HTTP API, wallboard, history,
/// dashboard, metrics, both gRPC services; no co-hosted SIP edge), started on loopback with anonymous loopback access off, over an in-process one-silo cluster.
/// Two tenants, <see cref="TenantA"/> and <see cref="TenantB"/>, each have a site, a queue, an agent, two waiting calls
/// and an ended one; every id of a tenant starts with the tenant's id, so another tenant's response can be searched for them.
/// </summary>
public sealed class TenantIsolationHost : IAsyncLifetime
{
    public const string TenantA = "alpha7";
    public const string TenantB = "bravo7";

    /// <summary>A membership setting only the product's composition binds (see SiloCompositionTests).</summary>
    public const int MembershipProbeLimit = 5;

    private WebApplication _app = null!;

    public WebApplication App => _app;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public HttpClient Http { get; private set; } = null!;

    public int GatewayPort { get; private set; }

    /// <summary>Every id, name and caller number of <paramref name="tenant"/>'s live state and history.</summary>
    public static IReadOnlyList<string> Markers(string tenant) =>
    [
        $"{tenant}-site", $"{tenant}-queue", $"{tenant}-agent", $"{tenant}-call-1", $"{tenant}-call-2", $"{tenant}-call-3",
        $"{tenant}-sup", $"{tenant}-admin", $"{tenant} Queue", $"{tenant} Agent", CallerNumber(tenant),
    ];

    /// <summary>The ids a request of another tenant's caller may name (the things it must not learn about).</summary>
    public static IReadOnlyList<string> ProbeIds(string tenant) =>
        [$"{tenant}-site", $"{tenant}-queue", $"{tenant}-agent", $"{tenant}-call-1", $"{tenant}-call-2", $"{tenant}-call-3"];

    public static string CallerNumber(string tenant) => tenant == TenantA ? "+447700900111" : "+447700900222";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["CallCenter:SiloPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:GatewayPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:Gateway:Port"] = "0",
            ["CallCenter:Gateway:AuditLogPath"] = "",
            ["CallCenter:Http:AllowAnonymousLoopback"] = "false",
            ["CallCenter:Sip:Enabled"] = "false",
            ["Orleans:Membership:NumMissedProbesLimit"] = MembershipProbeLimit.ToString(),
        });
        builder.Logging.ClearProviders();
        _app = SiloApplication.Build(builder);
        await _app.StartAsync();
        GatewayPort = _app.Services.GetRequiredService<GatewayEndpoint>().Port;
        var httpAddress = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address))
            .First(address => address.Port != GatewayPort);
        Http = new HttpClient { BaseAddress = httpAddress };

        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration());
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}")));
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            await SetUpTenantAsync(tenant);
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// A signed session token, as a login would issue now: the user is in the directory, and the token carries the user's
    /// current session epoch (a probe of a logout endpoint ends the sessions issued before).
    /// </summary>
    public async Task<string> TokenForAsync(Principal principal)
    {
        var directory = Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        var user = await directory.FindAsync(principal.UserId);
        if (user is null)
        {
            user = new UserRecord { UserId = principal.UserId, Role = principal.Role, TenantId = principal.TenantId, AgentId = principal.AgentId, SecretHash = SecretHasher.Hash(Guid.NewGuid().ToString(), SecretHasher.MinimumIterations) };
            await directory.UpsertAsync(user);
            user = await directory.FindAsync(principal.UserId);
        }

        return _app.Services.GetRequiredService<SessionTokens>().Issue(principal with { SessionEpoch = user!.SessionEpoch }, TimeSpan.FromHours(1), out _);
    }

    public static Principal PrincipalOf(string tenant, UserRole role) => role switch
    {
        UserRole.Agent => new Principal($"{tenant}-agent", role, tenant, $"{tenant}-agent", null, Guid.NewGuid().ToString("N")),
        UserRole.Supervisor => new Principal($"{tenant}-sup", role, tenant, null, null, Guid.NewGuid().ToString("N")),
        _ => new Principal($"{tenant}-admin", role, tenant, null, null, Guid.NewGuid().ToString("N")),
    };

    /// <summary>The agent logged in (not ready, so calls wait); two calls waiting; a third abandoned (history).</summary>
    private async Task SetUpTenantAsync(string tenant)
    {
        var agent = Grains.GetGrain<IAgentGrain>($"{tenant}-agent");
        Assert.True((await agent.LoginAsync("break")).Succeeded);
        foreach (var n in new[] { 1, 2, 3 })
        {
            var call = Grains.GetGrain<ICallGrain>($"{tenant}-call-{n}");
            await call.ArriveAsync(new CallArrival { SiteId = $"{tenant}-site", TenantId = tenant, CallerNumber = CallerNumber(tenant) });
            Assert.Equal(EnqueueStatus.Queued, (await call.EnqueueAsync($"{tenant}-queue")).Status);
        }

        await Grains.GetGrain<ICallGrain>($"{tenant}-call-3").HangUpAsync(CallParty.Caller);
    }

    private static ContactCenterConfiguration Configuration() => new()
    {
        Tenants =
        [
            new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" },
            new TenantDefinition { Id = TenantA, Name = "A" },
            new TenantDefinition { Id = TenantB, Name = "B" },
        ],
        Sites = [.. new[] { TenantA, TenantB }.Select(tenant => new SiteDefinition { Id = $"{tenant}-site", Name = $"{tenant} Site", TenantId = tenant })],
        Skills = ["sales"],
        ReasonCodes = ["break"],
        DispositionCodes = ["resolved"],
        Queues =
        [
            .. new[] { TenantA, TenantB }.Select(tenant => new QueueDefinition
            {
                Id = $"{tenant}-queue",
                Name = $"{tenant} Queue",
                TenantId = tenant,
                RequiredSkills = [new SkillRequirement("sales", 1)],
                Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
            }),
        ],
        Agents =
        [
            .. new[] { TenantA, TenantB }.Select(tenant => new AgentDefinition
            {
                Id = $"{tenant}-agent",
                Name = $"{tenant} Agent",
                SiteId = $"{tenant}-site",
                TenantId = tenant,
                Skills = [new SkillLevel("sales", 5)],
            }),
        ],
    };
}
