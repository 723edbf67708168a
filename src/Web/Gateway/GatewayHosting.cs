using CallCenter.Domain;
using System.Net;
using System.Security.Cryptography;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CallCenter.Web.Gateway;

/// <summary>Where the gateway listens once Kestrel has bound (port 0 picks a free one).</summary>
public sealed class GatewayEndpoint
{
    internal ListenOptions? Listen { get; set; }

    public int Port => (Listen?.EndPoint as IPEndPoint)?.Port ?? 0;
}

public static class GatewayHosting
{
    /// <summary>
    /// Adds the agent gateway: gRPC over HTTP/2 on its own endpoint (TLS with a certificate; plain only on loopback or
    /// when allowed), next to the HTTP API's endpoints from <c>Urls</c>.
    /// </summary>
    public static WebApplicationBuilder AddAgentGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddCallCenterSecurity();
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.Section));
        var endpoint = new GatewayEndpoint();
        builder.Services.AddSingleton(endpoint);
        if (!options.Enabled)
        {
            return builder;
        }

        Validate(options);
        if (!DemoCredentials.Apply(builder.Configuration))
        {
            DemoSecretGuard.RefusePublishedSecrets(options.Users);
        }

        RequireSharedSigningKey(options, builder.Configuration);

        var httpUrls = (builder.Configuration["Urls"] ?? "http://127.0.0.1:8080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Listening explicitly replaces Urls, so the HTTP API's addresses are bound here too.
            foreach (var url in httpUrls)
            {
                var address = BindingAddress.Parse(url);
                kestrel.Listen(ToIPAddress(address.Host), address.Port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            }

            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (!string.IsNullOrEmpty(options.CertificatePath))
                {
                    listen.UseHttps(options.CertificatePath, options.CertificatePassword);
                }

                endpoint.Listen = listen;
            });
        });

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 64 * 1024;
            grpc.Interceptors.Add<CommandRateLimiter>();
        });
        builder.Services.AddCallCenterRateLimits(builder.Configuration);
        builder.Services.TryAddSingleton<SessionRevocations>();
        builder.Services.TryAddSingleton<Api.PhoneProvisioning>();
        builder.Services.AddSingleton(services => new CommandRateLimits(options.CommandsPerMinute, Clock(services)));
        var key = string.IsNullOrEmpty(options.TokenSigningKey) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(options.TokenSigningKey);
        builder.Services.AddSingleton(services => new SessionTokens(key, Clock(services)));
        builder.Services.AddSingleton(services => new LoginThrottle(options.MaxFailedLogins, options.MaxFailedLoginsPerAddress, TimeSpan.FromSeconds(options.LockoutSeconds), Clock(services)));
        builder.Services.AddSingleton(services => new AuditLog(options.AuditLogPath, Clock(services), services.GetRequiredService<ILogger<AuditLog>>()));
        builder.Services.AddSingleton<GatewayAuthorization>();
        builder.Services.AddSingleton<UserLogin>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddHostedService<GatewayUserSeeder>();
        return builder;
    }

    public static WebApplication MapAgentGateway(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Enabled)
        {
            // The services' own [Authorize] and [AllowAnonymous] attributes apply to their methods.
            app.MapGrpcService<AgentDeskService>().Add(AllowUnimplemented);
            app.MapGrpcService<SupervisorService>().Add(AllowUnimplemented);
        }

        return app;
    }

    /// <summary>
    /// The agent gateway's port serves gRPC only: anything else there (the HTTP API, /metrics, the health endpoints, the
    /// page) is 404, so the port opened to desktops exposes nothing more. Goes first in the pipeline.
    /// </summary>
    public static WebApplication UseGatewayPortForGrpcOnly(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<GatewayEndpoint>();
        app.Use(async (context, next) =>
        {
            // Routing has run (WebApplication routes first), so the endpoint must be one of the gRPC methods, whatever the request claims.
            if (gateway.Port != 0 && context.Connection.LocalPort == gateway.Port
                && (!GrpcRequests.IsGrpc(context) || context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is null))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>gRPC's catch-alls for unknown services and methods answer UNIMPLEMENTED to anyone, as they did before the policies.</summary>
    private static void AllowUnimplemented(EndpointBuilder endpoint)
    {
        if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } pattern } && pattern.Contains("{unimplemented", StringComparison.Ordinal))
        {
            endpoint.Metadata.Add(new AllowAnonymousAttribute());
        }
    }

    /// <summary>Settings that would make the gateway unsafe or unusable stop the silo with the setting named.</summary>
    /// <summary>
    /// A cluster (any clustering provider) needs one token signing key for every silo: with a key made up per process a
    /// desktop's token fails at every other silo, and every token dies with a restart.
    /// </summary>
    public static void RequireSharedSigningKey(GatewayOptions options, IConfiguration configuration)
    {
        if (string.IsNullOrEmpty(options.TokenSigningKey) && !string.IsNullOrWhiteSpace(configuration["Orleans:Clustering:ProviderType"]))
        {
            throw new StartupConfigurationException(
                $"{GatewayOptions.Section}:TokenSigningKey is required in a cluster: one base64 key of at least 32 bytes, the same for every silo (openssl rand -base64 32)");
        }
    }

    public static void Validate(GatewayOptions options)
    {
        if (!IPAddress.TryParse(options.ListenAddress, out var address))
        {
            throw new StartupConfigurationException($"{GatewayOptions.Section}:ListenAddress '{options.ListenAddress}' is not an IP address");
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new StartupConfigurationException($"{GatewayOptions.Section}:Port must be 0 to 65535");
        }

        if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(options.CertificatePath) && !options.AllowInsecure)
        {
            throw new StartupConfigurationException(
                $"{GatewayOptions.Section}:ListenAddress {address} is not loopback: set {GatewayOptions.Section}:CertificatePath for TLS, or {GatewayOptions.Section}:AllowInsecure=true behind a TLS proxy");
        }

        if (!string.IsNullOrEmpty(options.TokenSigningKey))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(options.TokenSigningKey);
            }
            catch (FormatException)
            {
                throw new StartupConfigurationException($"{GatewayOptions.Section}:TokenSigningKey is not base64");
            }

            if (key.Length < 32)
            {
                throw new StartupConfigurationException($"{GatewayOptions.Section}:TokenSigningKey must be at least 32 bytes");
            }
        }

        if (options.TokenLifetimeMinutes < 1 || options.GraceSeconds < 0 || options.HeartbeatSeconds < 1 || options.MaxFailedLogins < 1 || options.MaxFailedLoginsPerAddress < 1 || options.CommandsPerMinute < 1 || options.LockoutSeconds < 1)
        {
            throw new StartupConfigurationException($"{GatewayOptions.Section}: TokenLifetimeMinutes, HeartbeatSeconds, MaxFailedLogins, MaxFailedLoginsPerAddress, CommandsPerMinute and LockoutSeconds must be positive, GraceSeconds not negative");
        }

        foreach (var user in options.Users)
        {
            if (string.IsNullOrWhiteSpace(user.UserId) || !SecretHasher.IsWellFormed(user.SecretHash))
            {
                throw new StartupConfigurationException(
                    $"{GatewayOptions.Section}:Users: user '{user.UserId}' needs a SecretHash 'pbkdf2-sha256$iterations$salt$hash' (dotnet run --project src/Silo -- hash-secret)");
            }
        }
    }

    private static TimeProvider Clock(IServiceProvider services) => services.GetRequiredKeyedService<TimeProvider>(ContactCenterClock.ServiceKey);

    private static IPAddress ToIPAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" or "0.0.0.0" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };
}

/// <summary>Adds the configured users not yet stored (a stored user keeps its stored secret and role).</summary>
internal sealed class GatewayUserSeeder(IGrainFactory grains, IOptions<GatewayOptions> options, ILogger<GatewayUserSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var users = options.Value.Users.Select(user => new UserRecord
        {
            UserId = user.UserId,
            Role = user.Role,
            TenantId = user.TenantId,
            AgentId = user.Role is UserRole.Agent or UserRole.PartnerExpert ? user.AgentId ?? user.UserId : null,
            SecretHash = user.SecretHash,
        }).ToList();
        if (users.Count > 0)
        {
            var added = await grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users).SeedAsync(users);
            logger.LogInformation("Agent gateway: {Added} of {Count} configured users added", added, users.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
