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
