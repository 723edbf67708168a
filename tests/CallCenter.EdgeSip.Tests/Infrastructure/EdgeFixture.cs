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

    /// <summary>Two more tenants, each with one queue, one agent with a phone and one entry point (7201, 7202).</summary>
    public const string TenantA = "acme";
    public const string TenantB = "globex";
    public const string TenantAAgent = "acme-ada";
    public const string TenantBAgent = "globex-gil";

    /// <summary>Prompts only the tests have (copies of a shipped one under other names), in the fixture's prompt folder.</summary>
    public const string ClosedPrompt = "edge-closed";
    public const string OverflowAnnouncement = "edge-overflow-announcement";

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

    public string PromptDirectory { get; } = Path.Combine(Path.GetTempPath(), "callcenter-prompts-" + Guid.NewGuid().ToString("N")[..8]);

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

        var applied = await Grains.GetGrain<IConfigurationGrain>(GrainKeys.Configuration).ApplyAsync(Configuration(TimeProvider.System.GetUtcNow()));
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
            PromptDirectory = CopyPrompts(PromptDirectory),
            Accounts = PhoneAgents.Concat([TenantAAgent, TenantBAgent]).Select(agent => new SipAccountOptions { Username = agent, Password = agent + "-pw", AgentId = agent }).ToList(),
            Trunks = [TrunkAddress + "/32"],
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
        foreach (var directory in new[] { RecordingDirectory, PromptDirectory }.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
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
    /// <summary>
    /// The caller's last ended call, waited for (10 s). An edge on a fake clock (<paramref name="edgeClock"/>) has that
    /// clock moved on at every look: its grain calls repeat after pauses on it (one in flight while a test moved the
    /// clock is abandoned and repeated), so an end that waits behind such a pause comes only if the clock moves.
    /// </summary>
    public async Task<CallSnapshot> EndedCallOfAsync(string callerNumber, string tenantId = TenantDefinition.DefaultTenantId, Microsoft.Extensions.Time.Testing.FakeTimeProvider? edgeClock = null)
    {
        var customer = Grains.GetGrain<ICustomerGrain>(CustomerProfile.KeyFor(tenantId, callerNumber));
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var history = (await customer.GetProfileAsync()).History;
            if (history.Count > 0)
            {
                return await Grains.GetGrain<ICallGrain>(history[^1].CallId).GetAsync();
            }

            edgeClock?.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Delay(50);
        }

        throw new TimeoutException($"no ended call from {callerNumber} within 10 s");
    }

    /// <summary>
    /// The shipped prompts plus the tests' own: <see cref="ClosedPrompt"/> and <see cref="OverflowAnnouncement"/> are
    /// copies of a shipped prompt, told apart by name in the call's trace.
    /// </summary>
    private static string CopyPrompts(string directory)
    {
        Directory.CreateDirectory(directory);
        var shipped = Path.Combine(AppContext.BaseDirectory, "Prompts");
        foreach (var file in Directory.GetFiles(shipped, "*.wav"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(shipped, "thank-you.wav"), Path.Combine(directory, ClosedPrompt + ".wav"));
        File.Copy(Path.Combine(shipped, "thank-you.wav"), Path.Combine(directory, OverflowAnnouncement + ".wav"));
        return directory;
    }

    /// <summary>The tests' configuration; <paramref name="now"/> makes the closed flows closed (today and the days around it are holidays).</summary>
    public static ContactCenterConfiguration Configuration(DateTimeOffset now) => new()
    {
        Tenants =
        [
            new TenantDefinition { Id = TenantDefinition.DefaultTenantId, Name = "Default" },
            new TenantDefinition { Id = TenantA, Name = "Acme" },
            new TenantDefinition { Id = TenantB, Name = "Globex" },
        ],
        Sites = [new SiteDefinition { Id = Site, Name = "London" }],
        Skills = ["sales", "support", "nobody"],
        ReasonCodes = ["break"],
        Queues =
        [
            Queue("edge-sales", "sales"),
            Queue("edge-support", "support"),
            // No agent has the skill: calls wait there (callbacks kept while closed never reach a test's phone).
            Queue("edge-closed-line", "nobody"),
            Queue("edge-overflow", "nobody") with
            {
                Overflow = new Model.OverflowAction { Kind = OverflowKind.Disconnect, AfterSeconds = 1, AnnouncementId = OverflowAnnouncement },
            },
            Queue("acme-line", "support") with { TenantId = TenantA },
            Queue("globex-line", "support") with { TenantId = TenantB },
        ],
        Agents = PhoneAgents.Select(agent => new AgentDefinition
        {
            Id = agent,
            Name = agent,
            SiteId = Site,
            Skills = [new SkillLevel("sales", 5), new SkillLevel("support", 5)],
        }).Concat(
        [
            new AgentDefinition { Id = TenantAAgent, Name = "Ada", TenantId = TenantA, SiteId = Site, Skills = [new SkillLevel("support", 5)] },
            new AgentDefinition { Id = TenantBAgent, Name = "Gil", TenantId = TenantB, SiteId = Site, Skills = [new SkillLevel("support", 5)] },
        ]).ToList(),
        IvrFlows =
        [
            new IvrFlow { Id = "edge-menu", Menu = new Dictionary<string, string> { ["1"] = "edge-sales", ["2"] = "edge-support" }, DefaultQueueId = "edge-support" },
            new IvrFlow { Id = "edge-account", CollectDigits = 4, Menu = new Dictionary<string, string> { ["1"] = "edge-sales", ["2"] = "edge-support" }, DefaultQueueId = "edge-support" },
            new IvrFlow { Id = "edge-ring", RingSeconds = 30, DefaultQueueId = "edge-sales" },
            new IvrFlow { Id = "edge-ring-short", RingSeconds = 1, DefaultQueueId = "edge-sales" },
            ClosedFlow("edge-closed", ClosedAction.HangUp, now),
            ClosedFlow("edge-closed-callback", ClosedAction.Callback, now),
            ClosedFlow("edge-closed-voicemail", ClosedAction.Voicemail, now),
        ],
        EntryPoints =
        [
            new EntryPoint { DialledNumber = "7001", QueueId = "edge-sales" },
            new EntryPoint { DialledNumber = "7002", QueueId = "edge-support" },
            new EntryPoint { DialledNumber = "7000", QueueId = "edge-support", IvrFlowId = "edge-menu" },
            new EntryPoint { DialledNumber = "7100", QueueId = "edge-support", IvrFlowId = "edge-account" },
            new EntryPoint { DialledNumber = "7003", QueueId = "edge-sales", IvrFlowId = "edge-ring" },
            new EntryPoint { DialledNumber = "7004", QueueId = "edge-sales", IvrFlowId = "edge-ring-short" },
            new EntryPoint { DialledNumber = "7201", QueueId = "acme-line", TenantId = TenantA },
            new EntryPoint { DialledNumber = "7202", QueueId = "globex-line", TenantId = TenantB },
            new EntryPoint { DialledNumber = "7300", QueueId = "edge-closed-line", IvrFlowId = "edge-closed" },
            new EntryPoint { DialledNumber = "7301", QueueId = "edge-closed-line", IvrFlowId = "edge-closed-callback" },
            new EntryPoint { DialledNumber = "7302", QueueId = "edge-closed-line", IvrFlowId = "edge-closed-voicemail" },
            new EntryPoint { DialledNumber = "7400", QueueId = "edge-overflow" },
        ],
    };

    /// <summary>Open all week, but today and the days either side are holidays: closed whenever the tests run (in any zone).</summary>
    private static IvrFlow ClosedFlow(string id, ClosedAction whenClosed, DateTimeOffset now) => new()
    {
        Id = id,
        Hours = new BusinessHours
        {
            TimeZone = "Pacific/Auckland",
            Open = [new OpeningHours { Days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], From = "00:00", To = "24:00" }],
            Holidays = [.. new[] { -1, 0, 1 }.Select(days => now.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))],
            ClosedPrompt = ClosedPrompt,
            WhenClosed = whenClosed,
            // The shortest message the configuration allows: the voicemail test's caller talks until the edge ends the recording.
            VoicemailSeconds = 5,
        },
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
