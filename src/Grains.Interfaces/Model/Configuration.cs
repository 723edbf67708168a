namespace CallCenter.Model;

[GenerateSerializer, Immutable, Alias("callcenter.tenant-definition")]
public sealed record TenantDefinition
{
    public const string DefaultTenantId = "default";

    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
}

[GenerateSerializer, Immutable, Alias("callcenter.site-definition")]
public sealed record SiteDefinition
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    /// <summary>Simultaneous calls the site's trunks carry.</summary>
    [Id(3)] public int TrunkCapacity { get; init; } = 100;
}

/// <summary>A dialled number and where it leads.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.entry-point")]
public sealed record EntryPoint
{
    [Id(0)] public required string DialledNumber { get; init; }
    [Id(1)] public required string QueueId { get; init; }
    [Id(2)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(3)] public int Priority { get; init; }
    [Id(4)] public IReadOnlyDictionary<string, string> AttachedData { get; init; } = new Dictionary<string, string>();
    /// <summary>The IVR flow callers to this number hear before the queue (one of the tenant's); none goes straight to the queue.</summary>
    [Id(5)] public string? IvrFlowId { get; init; }
}

/// <summary>
/// What a caller hears between the answer and the queue: a greeting, digits to collect, a menu whose keys choose
/// queues, and opening hours with what happens when closed. Prompts are names of the edge's WAV prompts.
/// </summary>
[GenerateSerializer, Immutable, Alias("callcenter.ivr-flow")]
public sealed record IvrFlow
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public string TenantId { get; init; } = TenantDefinition.DefaultTenantId;
    [Id(2)] public string Greeting { get; init; } = "welcome";
    /// <summary>Digits to collect (e.g. an account number) before the menu; 0 collects none.</summary>
    [Id(3)] public int CollectDigits { get; init; }
    [Id(4)] public string CollectPrompt { get; init; } = "enter-account";
    /// <summary>The attached-data key the collected digits are stored under.</summary>
    [Id(5)] public string CollectInto { get; init; } = "account";
    [Id(6)] public string MenuPrompt { get; init; } = "menu";
    /// <summary>Key (0-9, * or #) → queue id of the same tenant. Empty: no menu.</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Menu { get; init; } = new Dictionary<string, string>();
    /// <summary>How many times the menu is offered before the default queue is used.</summary>
    [Id(8)] public int MenuAttempts { get; init; } = 3;
    /// <summary>The queue used when no valid key is pressed; the entry point's queue when empty.</summary>
    [Id(9)] public string? DefaultQueueId { get; init; }
    /// <summary>Ringing before the answer; the edge's own setting when null.</summary>
    [Id(10)] public double? RingSeconds { get; init; }
    /// <summary>When the lines are open; always open when null.</summary>
    [Id(11)] public BusinessHours? Hours { get; init; }
}

/// <summary>Opening hours in one time zone, holidays closed all day, and what a caller gets when closed.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.business-hours")]
public sealed record BusinessHours
{
    /// <summary>An IANA time zone id (e.g. <c>Europe/London</c>): opening hours and holidays are local to it.</summary>
    [Id(0)] public string TimeZone { get; init; } = "UTC";
    [Id(1)] public IReadOnlyList<OpeningHours> Open { get; init; } = [];
    /// <summary>Local dates (<c>yyyy-MM-dd</c>) closed all day.</summary>
    [Id(2)] public IReadOnlyList<string> Holidays { get; init; } = [];
    /// <summary>The prompt played when closed.</summary>
    [Id(3)] public string ClosedPrompt { get; init; } = "closed";
    [Id(4)] public ClosedAction WhenClosed { get; init; } = ClosedAction.HangUp;
    /// <summary>The longest voicemail message (with <see cref="ClosedAction.Voicemail"/>); any key ends it sooner.</summary>
    [Id(5)] public double VoicemailSeconds { get; init; } = 60;
}

/// <summary>Days of the week (<c>Monday</c>…<c>Sunday</c>) open from <see cref="From"/> to <see cref="To"/> (<c>HH:mm</c>, local; To after From).</summary>
[GenerateSerializer, Immutable, Alias("callcenter.opening-hours")]
public sealed record OpeningHours
{
    [Id(0)] public IReadOnlyList<string> Days { get; init; } = [];
    [Id(1)] public string From { get; init; } = "00:00";
    [Id(2)] public string To { get; init; } = "24:00";
}

/// <summary>What a caller gets after the closed prompt.</summary>
[Alias("callcenter.closed-action")]
public enum ClosedAction
{
    /// <summary>The closed prompt, then the edge hangs up.</summary>
    HangUp = 0,
    /// <summary>The closed prompt, then a callback is kept in the entry point's queue for when agents are there.</summary>
    Callback = 1,
    /// <summary>The closed prompt, then the caller's message is recorded (the edge's recording folder) and attached to the call.</summary>
    Voicemail = 2,
}

/// <summary>The whole contact-center configuration: validated as one and applied as one.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.contact-center-configuration")]
public sealed record ContactCenterConfiguration
{
    [Id(0)] public IReadOnlyList<TenantDefinition> Tenants { get; init; } = [];
    [Id(1)] public IReadOnlyList<SiteDefinition> Sites { get; init; } = [];
    [Id(2)] public IReadOnlyList<string> Skills { get; init; } = [];
    /// <summary>NotReady reason codes agents may pick; "missed offer" and "disconnected" are always present.</summary>
    [Id(3)] public IReadOnlyList<string> ReasonCodes { get; init; } = [];
    [Id(4)] public IReadOnlyList<QueueDefinition> Queues { get; init; } = [];
    [Id(5)] public IReadOnlyList<AgentDefinition> Agents { get; init; } = [];
    [Id(6)] public IReadOnlyList<EntryPoint> EntryPoints { get; init; } = [];
    /// <summary>Grows by one with every applied change.</summary>
    [Id(7)] public long Version { get; init; }
    /// <summary>Codes agents choose from at wrap-up (resolved, follow-up…); empty means any code is accepted.</summary>
    [Id(8)] public IReadOnlyList<string> DispositionCodes { get; init; } = [];
    /// <summary>IVR flows entry points refer to by id (each of a tenant).</summary>
    [Id(9)] public IReadOnlyList<IvrFlow> IvrFlows { get; init; } = [];
}

/// <summary>Agent id → site id, as of a configuration version.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.agent-sites")]
public sealed record AgentSites
{
    [Id(0)] public long Version { get; init; }
    [Id(1)] public IReadOnlyDictionary<string, string> SiteByAgent { get; init; } = new Dictionary<string, string>();
}

public static class ReasonCodes
{
    public const string MissedOffer = "missed offer";
    public const string Disconnected = "disconnected";
    public const string ForcedBySupervisor = "supervisor";
    /// <summary>Logged in from a desktop that has not opened its event stream or chosen Available yet.</summary>
    public const string LoggingIn = "logging in";

    /// <summary>Codes the engine itself uses; they are always valid whatever the configuration says.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [MissedOffer, Disconnected, ForcedBySupervisor, LoggingIn];
}

[GenerateSerializer, Immutable, Alias("callcenter.validation-error")]
public sealed record ValidationError([property: Id(0)] string Field, [property: Id(1)] string Message);

[GenerateSerializer, Immutable, Alias("callcenter.apply-result")]
public sealed record ApplyResult
{
    [Id(0)] public IReadOnlyList<ValidationError> Errors { get; init; } = [];
    [Id(1)] public long Version { get; init; }

    public bool Applied => Errors.Count == 0;
}

/// <summary>Agents by presence state at one site.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.site-status")]
public sealed record SiteStatus
{
    [Id(0)] public required string SiteId { get; init; }
    [Id(1)] public IReadOnlyDictionary<PresenceState, int> AgentsByState { get; init; } = new Dictionary<PresenceState, int>();
    /// <summary>Handling over handling plus available time, last 15 minutes.</summary>
    [Id(2)] public double? Occupancy { get; init; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Every queue at every site, as every silo can read it cheaply.</summary>
[GenerateSerializer, Immutable, Alias("callcenter.routing-view-snapshot")]
public sealed record RoutingViewSnapshot
{
    [Id(0)] public IReadOnlyList<QueueSiteStatus> Queues { get; init; } = [];
    [Id(1)] public DateTimeOffset UpdatedAt { get; init; }
}
