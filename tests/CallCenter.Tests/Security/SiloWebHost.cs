using CallCenter.Domain;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Persistence;
using CallCenter.ServiceDefaults;
using CallCenter.Silo;
using CallCenter.Web;
using CallCenter.Web.Gateway;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Tests.Security;

/// <summary>
/// The silo as src/Silo composes it (<see cref="SiloApplication"/>: HTTP API, wallboard, gateway, metrics) on loopback over
/// an in-process one-silo cluster without the co-hosted SIP edge, on a fake contact-center clock, with the settings a test gives; users are added with their secret.
/// </summary>
public sealed class SiloWebHost : IAsyncDisposable
{
    private WebApplication _app = null!;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    public WebApplication App => _app;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public Uri HttpAddress { get; private set; } = null!;

    public int HttpPort => HttpAddress.Port;

    public int GatewayPort { get; private set; }

    public static async Task<SiloWebHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var host = new SiloWebHost();
        await host.InitializeAsync(settings ?? new Dictionary<string, string?>());
        return host;
    }

    public HttpClient CreateHttp() => new() { BaseAddress = HttpAddress };

    /// <summary>A new channel: a new connection, so a new source port.</summary>
    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress($"http://127.0.0.1:{GatewayPort}");

    public async Task AddUserAsync(string userId, UserRole role, string secret, string tenant = TenantDefinition.DefaultTenantId, string? agentId = null) =>
        await Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).UpsertAsync(new UserRecord
        {
            UserId = userId,
            Role = role,
            TenantId = tenant,
            AgentId = role is UserRole.Agent or UserRole.PartnerExpert ? agentId ?? userId : null,
            SecretHash = SecretHasher.Hash(secret, SecretHasher.MinimumIterations),
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task InitializeAsync(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["CallCenter:SiloPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:GatewayPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:Gateway:Port"] = "0",
            ["CallCenter:Gateway:AuditLogPath"] = "",
            ["CallCenter:Telemetry:Dashboard"] = "false",
            // The product's composition (SiloApplication), without the co-hosted SIP edge these tests do not call.
            ["CallCenter:Sip:Enabled"] = "false",
            // The clock does not move by itself: the login rate limits apply only where a test sets them.
            ["CallCenter:Http:LoginsPerMinute"] = "100000",
            ["CallCenter:Http:LoginsPerMinutePerUser"] = "100000",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, Clock);
        _app = SiloApplication.Build(builder);
        await _app.StartAsync();
        GatewayPort = _app.Services.GetRequiredService<GatewayEndpoint>().Port;
        HttpAddress = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address))
            .First(address => address.Port != GatewayPort);
    }
}
