using CallCenter.Domain;
using CallCenter.Gateway.V1;
using CallCenter.Grains;
using CallCenter.Model;
using CallCenter.Persistence;
using CallCenter.Web.Gateway;
using CallCenter.Web.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Tests.Gateway;

/// <summary>
/// The agent gateway as the silo hosts it: real Kestrel (HTTP/2 on a free loopback port) in front of an in-process
/// one-silo cluster with memory storage, on a fake contact-center clock (grace periods, token expiry). Users and a small
/// contact center (two tenants, a partner organisation) are set up once; tests use their own agents and calls.
/// </summary>
public class GatewayHost : IAsyncLifetime
{
    public const int GraceSeconds = 30;
    public const int TokenLifetimeMinutes = 60;
    public const int MaxFailedLogins = 3;

    private WebApplication _app = null!;
    private int _calls;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public GrpcChannel Channel { get; private set; } = null!;

    public int GatewayPort { get; private set; }

    public string AuditLogPath { get; } = Path.Combine(Path.GetTempPath(), $"callcenter-audit-{Guid.NewGuid():N}.log");

    /// <summary>Every test user's secret is its id followed by "-secret".</summary>
    public static string SecretOf(string userId) => userId + "-secret";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["CallCenter:SiloPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:GatewayPort"] = PortAllocator.Next().ToString(),
            ["CallCenter:Gateway:Port"] = "0",
            ["CallCenter:Gateway:GraceSeconds"] = GraceSeconds.ToString(),
            ["CallCenter:Gateway:TokenLifetimeMinutes"] = TokenLifetimeMinutes.ToString(),
            ["CallCenter:Gateway:MaxFailedLogins"] = MaxFailedLogins.ToString(),
            ["CallCenter:Gateway:HeartbeatSeconds"] = "1",
            // The tests log in many desks from loopback on a clock that does not move by itself.
            ["CallCenter:Http:LoginsPerMinute"] = "100000",
            ["CallCenter:Http:LoginsPerMinutePerUser"] = "100000",
            ["CallCenter:Gateway:AuditLogPath"] = AuditLogPath,
        });
        builder.Configuration.AddInMemoryCollection(ExtraSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, Clock);
        builder.UseOrleans(silo => silo.ConfigureCallCenterSilo(builder.Configuration));
        builder.AddAgentGateway();
        _app = builder.Build();
        _app.MapAgentGateway();
        await _app.StartAsync();
        GatewayPort = _app.Services.GetRequiredService<GatewayEndpoint>().Port;
        Channel = CreateChannel(GatewayPort);

        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration());
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}")));
        var users = Grains.GetGrain<IUserDirectoryGrain>(GrainKeys.Users);
        foreach (var (userId, role, tenant) in Users())
        {
            await users.UpsertAsync(new UserRecord
            {
                UserId = userId,
                Role = role,
                TenantId = tenant,
                AgentId = role is UserRole.Agent or UserRole.PartnerExpert ? userId : null,
                SecretHash = SecretHasher.Hash(SecretOf(userId), SecretHasher.MinimumIterations),
            });
        }
    }

    /// <summary>Settings a variant of the host adds (TLS, say).</summary>
    protected virtual IDictionary<string, string?> ExtraSettings() => new Dictionary<string, string?>();

    protected virtual GrpcChannel CreateChannel(int port) => GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

    public virtual async Task DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(AuditLogPath);
    }

    public AgentDesk.AgentDeskClient Desk() => new(Channel);

    public Supervisor.SupervisorClient Supervisor() => new(Channel);

    /// <summary>Logs in; the token goes in each call's metadata.</summary>
    public async Task<Session> LoginAsync(string userId)
    {
        var reply = await Desk().LoginAsync(new LoginRequest { UserId = userId, Secret = SecretOf(userId) });
        return new Session(this, reply);
    }

    /// <summary>A caller arrives at <paramref name="queueId"/> (not through an edge: accepting connects at once).</summary>
    public async Task<ICallGrain> CallAsync(string queueId, string tenant = TenantDefinition.DefaultTenantId, IReadOnlyDictionary<string, string>? data = null, string? caller = null)
    {
        var call = Grains.GetGrain<ICallGrain>($"gw-call-{Interlocked.Increment(ref _calls)}");
        await call.ArriveAsync(new CallArrival
        {
            SiteId = "north",
            TenantId = tenant,
            CallerNumber = caller ?? $"+4420700{_calls:D5}",
            AttachedData = data ?? new Dictionary<string, string>(),
        });
        var queued = await call.EnqueueAsync(queueId);
        Assert.Equal(EnqueueStatus.Queued, queued.Status);
        return call;
    }

    private static IEnumerable<(string UserId, UserRole Role, string Tenant)> Users()
    {
        foreach (var agent in AgentIds)
        {
            yield return (agent, UserRole.Agent, TenantDefinition.DefaultTenantId);
        }

        foreach (var expert in ExpertIds)
        {
            yield return (expert, UserRole.PartnerExpert, TenantDefinition.DefaultTenantId);
        }

        yield return ("other-agent", UserRole.Agent, "other");
        yield return ("sup", UserRole.Supervisor, TenantDefinition.DefaultTenantId);
        yield return ("other-sup", UserRole.Supervisor, "other");
        yield return ("root", UserRole.Admin, TenantDefinition.DefaultTenantId);
    }

    /// <summary>Staff agents of the default tenant, one or two per test.</summary>
    public static readonly string[] AgentIds = ["amy", "bill", "cara", "dev", "eli", "flo", "gil", "hana", "ivan", "jo", "kai", "lou", "mo"];

    /// <summary>Experts of partner organisation "acme", entitled to queue "experts" only.</summary>
    public static readonly string[] ExpertIds = ["px1", "px2", "px3"];

    private static ContactCenterConfiguration Configuration() => new()
    {
        Tenants = [new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" }, new TenantDefinition { Id = "other", Name = "Other" }],
        Sites = [new SiteDefinition { Id = "north", Name = "North" }],
        Skills = ["sales", "tech"],
        ReasonCodes = ["break", "lunch"],
        DispositionCodes = ["resolved", "follow-up"],
        Queues =
        [
            new QueueDefinition { Id = "gw-sales", Name = "Sales", RequiredSkills = [new SkillRequirement("sales", 1)], Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }], WrapUpSeconds = 60 },
            new QueueDefinition
            {
                Id = "experts",
                Name = "Partner experts",
                RequiredSkills = [new SkillRequirement("tech", 1)],
                Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.PartnerExperts }],
                EntitledPartners = ["acme"],
                WrapUpSeconds = 0,
            },
            new QueueDefinition { Id = "other-sales", Name = "Other sales", TenantId = "other", RequiredSkills = [new SkillRequirement("sales", 1)], Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }] },
        ],
        Agents =
        [
            .. AgentIds.Select(id => new AgentDefinition { Id = id, Name = id, SiteId = "north", Skills = [new SkillLevel("sales", 5)] }),
            .. ExpertIds.Select(id => new AgentDefinition
            {
                Id = id,
                Name = id,
                SiteId = "north",
                Kind = AgentKind.PartnerExpert,
                PartnerOrganization = "acme",
                Skills = [new SkillLevel("sales", 5), new SkillLevel("tech", 5)],
            }),
            new AgentDefinition { Id = "other-agent", Name = "other", SiteId = "north", TenantId = "other", Skills = [new SkillLevel("sales", 5)] },
        ],
    };
}

/// <summary>A logged-in user: the token as call metadata, and the desk's event stream when opened.</summary>
public sealed class Session(GatewayHost host, LoginReply login) : IAsyncDisposable
{
    private AsyncServerStreamingCall<AgentEvent>? _stream;
    private CancellationTokenSource? _streamCancellation;

    public LoginReply Login => login;

    public Metadata Auth { get; } = new() { { "authorization", "Bearer " + login.Token } };

    public AgentDesk.AgentDeskClient Desk => host.Desk();

    /// <summary>Opens the event stream and returns its first event, SessionStarted.</summary>
    public async Task<SessionStarted> OpenEventsAsync()
    {
        _streamCancellation = new CancellationTokenSource();
        _stream = Desk.Events(new EventsRequest(), Auth, cancellationToken: _streamCancellation.Token);
        var first = await NextAsync(e => e.EventCase == AgentEvent.EventOneofCase.Session, "the session's first event");
        return first.Session;
    }

    /// <summary>The next event matching <paramref name="wanted"/> (others are skipped); fails naming <paramref name="what"/> after 10 s.</summary>
    public async Task<AgentEvent> NextAsync(Func<AgentEvent, bool> wanted, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await _stream!.ResponseStream.MoveNext(timeout.Token))
            {
                if (wanted(_stream.ResponseStream.Current))
                {
                    return _stream.ResponseStream.Current;
                }
            }
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && timeout.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"no {what} on the event stream within 10 s");
    }

    /// <summary>Waits until each of <paramref name="wanted"/> has been seen, in any order (events of different grains may overtake each other).</summary>
    public async Task<AgentEvent[]> NextEachAsync(string what, params Func<AgentEvent, bool>[] wanted)
    {
        var found = new AgentEvent?[wanted.Length];
        while (found.Any(f => f is null))
        {
            var next = await NextAsync(e => wanted.Where((w, i) => found[i] is null && w(e)).Any(), what);
            for (var i = 0; i < wanted.Length; i++)
            {
                if (found[i] is null && wanted[i](next))
                {
                    found[i] = next;
                    break;
                }
            }
        }

        return found!;
    }

    /// <summary>Drops the stream as a desktop that lost its network would.</summary>
    public void DropEvents()
    {
        _streamCancellation?.Cancel();
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>Drops the stream and logs an agent out, so later tests of the shared host are not offered to it.</summary>
    public async ValueTask DisposeAsync()
    {
        DropEvents();
        if (login.AgentId.Length > 0)
        {
            try
            {
                await Desk.LogoutAsync(new LogoutRequest(), Auth);
            }
            catch (RpcException)
            {
                // Still holding a call, or the token expired in the test: the agent's state is the test's business.
            }
        }
    }
}

public static class GrpcStatus
{
    /// <summary>The status a gRPC call ended with (OK when it succeeded).</summary>
    public static async Task<StatusCode> OfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }
}
