using CallCenter.Domain;
using CallCenter.EdgeSip.Telemetry;
using System.Collections.Concurrent;
using System.Diagnostics;
using CallCenter.Grains;
using CallCenter.Grains.Hosting;
using CallCenter.Grains.Persistence;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace CallCenter.EdgeSip.Tests.Infrastructure;

/// <summary>
/// A one-silo in-process cluster on the real clock (SIP peers run in real time) with a contact-center configuration
/// for the edge tests, and a SIP edge on free loopback ports. Tests use their own agents and numbers so they do not meet.
/// </summary>
public sealed class EdgeFixture : IAsyncLifetime
{
    public const string Site = "london";
    public const string Realm = "callcenter";

    /// <summary>The only address trunks may call from (SIPp runs there); other loopback addresses play strangers.</summary>
    public const string TrunkAddress = "127.0.0.1";

    /// <summary>Agents with phones the tests register (user = agent id, password = agent id + "-pw").</summary>
    public static readonly string[] PhoneAgents = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lee", "max", "ned", "oli", "ora", "pam", "quin", "rex", "sid", "tia", "uma"];

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Every activity the edge, the grains and Orleans finished in this process (tests pick their call's trace).</summary>
    public ConcurrentQueue<Activity> Activities { get; } = new();

    private ActivityListener? _activities;
    private ServiceProvider? _edgeServices;

    /// <summary>The edge's log, kept in the test output folder for failures.</summary>
    public string LogPath { get; } = Path.Combine(AppContext.BaseDirectory, "edge.log");

    public IGrainFactory Grains => Cluster.Client;

    public SipEdge Edge { get; private set; } = null!;

    public SipEdgeOptions Options { get; private set; } = null!;

    public string RecordingDirectory { get; } = Path.Combine(Path.GetTempPath(), "callcenter-recordings-" + Guid.NewGuid().ToString("N")[..8]);

    private readonly MemoryStateStore _state = new();

    /// <summary>One silo without a site label (the shared fixture).</summary>
    public EdgeFixture()
        : this([null])
    {
    }

    // xUnit wants a collection fixture to have one public constructor: the labelled form is a factory.
    private EdgeFixture(IReadOnlyList<string?> siloSites) => SiteLabels = new SiloSiteLabels(siloSites);

    /// <summary>One silo per entry, labelled with that site, sharing one memory store (as they would share Redis).</summary>
    public static EdgeFixture WithSilos(IReadOnlyList<string?> siloSites) => new(siloSites);

    /// <summary>The site label each silo is started with.</summary>
    public SiloSiteLabels SiteLabels { get; }

    public async Task InitializeAsync()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("CallCenter.", StringComparison.Ordinal) || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);

        var builder = new InProcessTestClusterBuilder((short)SiteLabels.Count);
        builder.ConfigureClient(client => client.AddActivityPropagation());
        builder.ConfigureSilo((options, silo) =>
        {
            var site = SiteLabels.For(options.SiloName);
            silo.AddActivityPropagation();
            silo.Services.AddKeyedSingleton<TimeProvider>(ContactCenterClock.ServiceKey, TimeProvider.System);
            silo.AddCallCenterGrains(site);
            silo.AddCallCenterMemoryStorage(_state);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration());
        Assert.True(applied.Applied, string.Join("; ", applied.Errors.Select(e => $"{e.Field}: {e.Message}")));

        Options = new SipEdgeOptions
        {
            SiteId = Site,
            Port = 0,
            Realm = Realm,
            DigestAlgorithms = ["MD5"],
            RtpPortFirst = 31000,
            RtpPortLast = 33999,
            AnnounceEverySeconds = 5,
            DigitTimeoutSeconds = 5,
            RecordingDirectory = RecordingDirectory,
            Accounts = PhoneAgents.Select(agent => new SipAccountOptions { Username = agent, Password = agent + "-pw", AgentId = agent }).ToList(),
            Trunks = [TrunkAddress + "/32"],
            Numbers = new Dictionary<string, IvrFlowOptions>
            {
                ["7000"] = new() { Menu = new Dictionary<string, string> { ["1"] = "edge-sales", ["2"] = "edge-support" }, DefaultQueue = "edge-support" },
                ["7100"] = new() { CollectDigits = 4, Menu = new Dictionary<string, string> { ["1"] = "edge-sales", ["2"] = "edge-support" }, DefaultQueue = "edge-support" },
                ["7003"] = new() { RingSeconds = 30, DefaultQueue = "edge-sales" },
            },
        };
        // The edge's instruments come from a meter factory of its own, as a host's would give them.
        _edgeServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new EdgeMetrics(_edgeServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        Edge = new SipEdge(Options, Grains, TimeProvider.System, metrics, new FileLogger<SipEdge>(LogPath));
        await Edge.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        if (_edgeServices is not null)
        {
            await _edgeServices.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        _activities?.Dispose();
        if (Directory.Exists(RecordingDirectory))
        {
            Directory.Delete(RecordingDirectory, recursive: true);
        }
    }

    /// <summary>Logs the agent in and makes it available (its phone registers separately).</summary>
    public async Task MakeAvailableAsync(string agentId)
    {
        var agent = Grains.GetGrain<IAgentGrain>(agentId);
        await agent.LoginAsync();
        await agent.SetAvailableAsync();
    }

    /// <summary>The last call the caller number made, once it has ended (the customer's contact history has it then).</summary>
    public async Task<CallSnapshot> EndedCallOfAsync(string callerNumber)
    {
        var customer = Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(TenantDefinition.DefaultTenantId, callerNumber));
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var history = (await customer.GetProfileAsync()).History;
            if (history.Count > 0)
            {
                return await Grains.GetGrain<ICallGrain>(history[^1].CallId).GetAsync();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no ended call from {callerNumber} within 10 s");
    }

    private static ContactCenterConfiguration Configuration() => new()
    {
        Tenants = [new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" }],
        Sites = [new SiteDefinition { Id = Site, Name = "London" }],
        Skills = ["sales", "support"],
        ReasonCodes = ["break"],
        Queues =
        [
            Queue("edge-sales", "sales"),
            Queue("edge-support", "support"),
        ],
        Agents = PhoneAgents.Select(agent => new AgentDefinition
        {
            Id = agent,
            Name = agent,
            SiteId = Site,
            Skills = [new SkillLevel("sales", 5), new SkillLevel("support", 5)],
        }).ToList(),
        EntryPoints =
        [
            new EntryPoint { DialledNumber = "7001", QueueId = "edge-sales" },
            new EntryPoint { DialledNumber = "7002", QueueId = "edge-support" },
        ],
    };

    private static QueueDefinition Queue(string id, string skill) => new()
    {
        Id = id,
        Name = id,
        RequiredSkills = [new SkillRequirement(skill, 1)],
        Stages = [new BullseyeStage { AfterSeconds = 0, Scope = StageScope.AnySite }],
        WrapUpSeconds = 0,
        AcceptTimeoutSeconds = 20,
    };
}

[CollectionDefinition(Name)]
public sealed class EdgeCollection : ICollectionFixture<EdgeFixture>
{
    public const string Name = "edge";
}
